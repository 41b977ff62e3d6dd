"""Stepping through a pass: the phase bar, the network graph, the formula panel and the values panel."""
