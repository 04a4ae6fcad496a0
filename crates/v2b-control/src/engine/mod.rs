//! The engine: one slot's control step shared by the live controller and the simulator
//! ([`step`]), the plant's physics ([`plant`](crate::plant)), charger assignment, what happens
//! at an arrival ([`ArrivalPolicy`](crate::ArrivalPolicy)), the episode executor
//! ([`simulate`](crate::simulate)) and its reports.

pub(crate) mod arrivals;
pub(crate) mod assignment;
pub(crate) mod carry;
pub mod plant;
pub(crate) mod recorder;
pub(crate) mod report;
pub(crate) mod simulate;
pub(crate) mod step;
