//! `trisim completions SHELL` and `trisim man`: generated from the clap definitions of the
//! command line, so every command and option (new ones included) appears in them.

use super::Cli;
use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const COMPLETIONS_ABOUT: &str = "\
Print the completion script of a shell on standard output: commands, options, their values \
(e.g. --design grid|lhs|sobol) and file names complete with Tab.

Install (then open a new shell):
  bash:        trisim completions bash > ~/.local/share/bash-completion/completions/trisim
  zsh:         trisim completions zsh > ~/.zfunc/_trisim
               (with fpath+=~/.zfunc before compinit in ~/.zshrc)
  fish:        trisim completions fish > ~/.config/fish/completions/trisim.fish
  powershell:  trisim completions powershell >> $PROFILE
  elvish:      trisim completions elvish >> ~/.config/elvish/rc.elv";

pub const MAN_ABOUT: &str = "\
Print the manual page trisim(1) in roff on standard output, or with --dir write trisim.1 and \
one page per command (trisim-run.1, trisim-sweep.1, ...) into DIR, replacing those files.

Examples:
  trisim man | man -l -
  trisim man --dir ~/.local/share/man/man1   (then: man trisim-run)";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write trisim.1 and trisim-COMMAND.1 (one page per command) into DIR instead of printing
    /// trisim.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .context("cannot write to standard output")
}

pub fn completions(a: &CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "trisim", &mut buf);
    write_stdout(&buf)?;
    Ok(ExitCode::SUCCESS)
}

/// The manual pages: (file name, roff) of trisim(1) and, if `all`, of every command.
fn pages(all: bool) -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    let mut render = |c: clap::Command| -> Result<()> {
        let man = clap_mangen::Man::new(c);
        let mut buf = Vec::new();
        man.render(&mut buf)
            .context("cannot render the manual page")?;
        out.push((man.get_filename(), buf));
        Ok(())
    };
    if all {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            render(sub.clone())?;
        }
    }
    render(cmd)?;
    Ok(out)
}

/// Writes `bytes` into `path` through a temporary file and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.part-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
        .with_context(|| format!("cannot write {}", path.display()))
}

pub fn man(a: &ManArgs) -> Result<ExitCode> {
    match &a.dir {
        None => {
            let pages = pages(false)?;
            write_stdout(&pages[0].1)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create folder {}", dir.display()))?;
            let pages = pages(true)?;
            for (name, roff) in &pages {
                write_atomic(&dir.join(name), roff)?;
            }
            println!("{} manual pages written to {}", pages.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
