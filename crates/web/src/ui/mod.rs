//! Pieces every screen uses: the page frame, forms, tables of figures,
//! charts, dates the UK way and what each figure means. They only render:
//! none reads a request, the server's state or the store.

pub(crate) mod chart;
pub(crate) mod dates;
pub(crate) mod definitions;
pub(crate) mod download;
pub(crate) mod figures;
pub(crate) mod form;
pub(crate) mod layout;
