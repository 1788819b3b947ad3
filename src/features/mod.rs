//! Preprocessing: fitted on training rows only, saved inside the model artifact.
pub mod matrix;
pub mod preprocess;

pub use matrix::Matrix;
pub use preprocess::{FeatureSpec, Preprocessor, RawValue};
