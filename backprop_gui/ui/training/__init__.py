"""Training: the controller, its runner thread, the training panel, the loss plot, the data, the decision map."""
