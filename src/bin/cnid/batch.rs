//! `cnid batch` (being written).

use std::io;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> io::Result<ExitCode> {
    eprintln!("cnid: batch is not implemented yet");
    Ok(ExitCode::from(1))
}
