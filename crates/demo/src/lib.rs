//! Placeholder replaced by the generator.
