//! Pieces every screen uses: the page frame, forms, tables of figures and
//! charts.

pub(crate) mod chart;
pub(crate) mod dates;
pub(crate) mod figures;
pub(crate) mod form;
pub(crate) mod layout;
pub(crate) mod saved;
