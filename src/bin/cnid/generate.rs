//! `cnid generate` (being written).

use std::io;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> io::Result<ExitCode> {
    eprintln!("cnid: generate is not implemented yet");
    Ok(ExitCode::from(1))
}
