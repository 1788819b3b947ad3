//! Preprocessing: fitted on training rows only, saved inside the model artifact.
pub mod matrix;

pub use matrix::Matrix;
