"""Training: the controller (the window's side of the training process), the training panel, the
loss plot, the data, the decision map."""
