//! Charts of experiments (being written).
