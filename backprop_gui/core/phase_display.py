"""What the graph shows at the stepper's phase: the quantity its neurons show, and the neurons and
edges the current phase computes (which the graph makes glow); and the phase that computes a quantity."""

from __future__ import annotations

from collections.abc import Sequence

from backprop_gui.core.stepper import Phase, PhaseStep, Quantity, Stepper

# Maps draw a_j^l over the input plane; the numbers beside crowded neurons are the sample's a_j^l.
FORCED_QUANTITIES = {
    "z": Quantity.WEIGHTED_INPUT,
    "a": Quantity.ACTIVATION,
    "delta": Quantity.DELTA,
    "maps": Quantity.ACTIVATION,
}


def computed_in(quantity: Quantity, layer: int = 0) -> PhaseStep | None:
    """The phase that reveals ``quantity`` of ``layer`` (None for the data: x and t)."""
    q = Quantity(quantity)
    if q in (Quantity.WEIGHTED_INPUT, Quantity.ACTIVATION):
        return PhaseStep(Phase.FORWARD, layer)
    if q in (Quantity.DELTA, Quantity.GRAD_WEIGHTS, Quantity.GRAD_BIASES):
        return PhaseStep(Phase.BACKWARD, layer)
    if q in (Quantity.LOSS, Quantity.OUTPUT_GRADIENT):
        return PhaseStep(Phase.LOSS)
    if q in (Quantity.NEW_WEIGHTS, Quantity.NEW_BIASES):
        return PhaseStep(Phase.UPDATE)
    return None


def neuron_quantity(stepper: Stepper, neuron_value: str) -> Quantity:
    """What neurons of layers 1..L show for ``neuron_value`` (one of ``core.session.NEURON_VALUES``):
    the quantity it names, or for "auto" the current phase's: δ^l going back and at Update, else a^l."""
    if neuron_value in FORCED_QUANTITIES:
        return FORCED_QUANTITIES[neuron_value]
    if neuron_value != "auto":
        raise ValueError(f'neuron value must be "auto" or one of {", ".join(FORCED_QUANTITIES)}, got {neuron_value!r}')
    current = stepper.current
    if current is not None and current.phase in (Phase.BACKWARD, Phase.UPDATE):
        return Quantity.DELTA
    return Quantity.ACTIVATION


def current_work(
    stepper: Stepper, shown: Sequence[Sequence[int]]
) -> tuple[set[tuple[int, int]], set[tuple[int, int, int]]]:
    """The ``shown`` neurons (l, j) and edges (l, j, k) computed in the current phase: a whole layer's,
    or only the last neuron of a partly revealed one. ``shown`` lists the drawn neurons per layer 0..L.

    A forward phase computes z^l, a^l from the edges into its neurons; Loss only the outputs; a
    backward phase δ^l, ∂C/∂w^l (the edges into its neurons) from the edges out of them; Update
    changes every weight at once, so nothing in particular."""
    current = stepper.current
    if current is None or current.phase is Phase.UPDATE:
        return set(), set()
    depth = stepper.network.depth
    l = current.layer or depth
    js = [stepper.revealed - 1] if stepper.revealed else shown[l]
    neurons = {(l, j) for j in js if j in shown[l]}
    edges: set[tuple[int, int, int]] = set()
    if current.phase is Phase.LOSS:
        return neurons, edges
    for _, j in neurons:
        edges.update((l, j, k) for k in shown[l - 1])
        if current.phase is Phase.BACKWARD and l < depth:
            edges.update((l + 1, i, j) for i in shown[l + 1])
    return neurons, edges
