//! Progress on long work (import, export, backup, restore, demo-data and the
//! server's start-up), always on stderr so stdout stays as it was: on a
//! terminal a spinner with the step and the time so far, or a bar with bytes
//! done, the total and the time left; otherwise (CI, pipes) one short plain
//! line per step. Steps name files, counts and databases, never personal data.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    command: &'static str,
    bar: Option<ProgressBar>,
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]").expect("a valid template")
}

fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{prefix}: {msg} {wide_bar} {bytes}/{total_bytes} ({eta} left) [{elapsed}]",
    )
    .expect("a valid template")
}

fn counted_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix}: {msg} {bytes} [{elapsed}]")
        .expect("a valid template")
}

impl Progress {
    /// Progress of `command` (`import`, `backup`, …).
    pub fn start(command: &'static str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(spinner_style());
            bar.set_prefix(command);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { command, bar }
    }

    /// A new step: the spinner's message on a terminal, else one line.
    pub fn step(&self, message: impl Into<String>) {
        let message = message.into();
        match &self.bar {
            Some(bar) => {
                bar.set_style(spinner_style());
                bar.set_message(message);
            }
            None => eprintln!("{}: {message}", self.command),
        }
    }

    /// A step over `total` bytes (reading a file): a bar with the time left
    /// on a terminal. Wrap the reader with the returned bar.
    pub fn bytes(&self, message: impl Into<String>, total: u64) -> ProgressBar {
        let message = message.into();
        match &self.bar {
            Some(bar) => {
                bar.set_style(bytes_style());
                bar.set_length(total);
                bar.set_position(0);
                bar.set_message(message);
                bar.clone()
            }
            None => {
                eprintln!("{}: {message} ({total} bytes)", self.command);
                ProgressBar::hidden()
            }
        }
    }

    /// A step writing an amount not known ahead: the bytes written so far
    /// on a terminal. Wrap the writer with the returned bar.
    pub fn writing(&self, message: impl Into<String>) -> ProgressBar {
        let message = message.into();
        match &self.bar {
            Some(bar) => {
                bar.set_style(counted_style());
                bar.set_position(0);
                bar.set_message(message);
                bar.clone()
            }
            None => {
                eprintln!("{}: {message}", self.command);
                ProgressBar::hidden()
            }
        }
    }

    /// Reads a whole file, with a bar over its bytes on a terminal.
    pub fn read_file(&self, path: &Path) -> Result<Vec<u8>> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = self.bytes(format!("reading {}", path.display()), size);
        let mut bytes = Vec::with_capacity(size as usize);
        std::io::Read::read_to_end(&mut bar.wrap_read(file), &mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(bytes)
    }
}

impl Drop for Progress {
    /// The spinner goes away before the command's last line or message.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
