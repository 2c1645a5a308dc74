// Operator wiring (being written).
