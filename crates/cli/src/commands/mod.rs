//! One file per command: its arguments (a clap `Args` struct, whose doc
//! comments are its `--help`) and its `run`. The commands use the helpers
//! beside this module (`input`, `database`, `spreadsheet`, `render`,
//! `progress`, `atomic`, `logging`), never one another.

pub mod audit;
pub mod backup;
pub mod check;
pub mod demo_data;
pub mod doctor;
pub mod export;
pub mod import;
pub mod report;
pub mod restore;
pub mod serve;
pub mod serve_sign_in;
pub mod submissions;
pub mod submit;
pub mod user;
