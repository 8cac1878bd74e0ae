//! Replications in parallel and streaming statistics (to be implemented).
