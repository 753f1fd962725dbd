"""HTTP blueprints, one module per audience. Thin: parse, call one service, respond."""
