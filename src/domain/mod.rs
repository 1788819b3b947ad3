//! What a run is: the report and its parts (verdict, gate results,
//! violations, drift, lineage, champion), independent of how any of it is
//! computed or drawn. Everything else may import this module; it imports
//! nothing above it.
pub mod metric;
pub mod num;
pub mod pick;
pub mod report;
pub mod task;

pub use metric::{FairnessMetric, Metric};
pub use report::*;
pub use task::{folded, is_missing_label, is_missing_number, is_positive_text, BinaryTask};
