//! Result files, charts and the terminal table (to be implemented).
