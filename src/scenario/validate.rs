//! Semantic validation of a deserialized scenario.
