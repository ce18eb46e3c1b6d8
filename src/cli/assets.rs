//! The files the packages ship beside the binary, generated from the command definitions so
//! they cannot drift from it: one man page per command (`vmyard.1`, `vmyard-serve.1`, ...),
//! each with FILES, ENVIRONMENT, EXIT STATUS and EXAMPLES; `vmyard.toml.5`, the config file
//! with the reference config in it; and the bash, zsh and fish completions.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The reference config, shown whole in `vmyard.toml(5)`.
const REFERENCE_CONFIG: &str = include_str!("../../config/vmyard.toml");

/// Writes `man/*.1`, `man/vmyard.toml.5` and `completions/{vmyard.bash,_vmyard,vmyard.fish}`
/// under `out`.
pub(super) fn write(out: &Path) -> anyhow::Result<()> {
    let man = out.join("man");
    let completions = out.join("completions");
    for dir in [&man, &completions] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // The pages carry the package's version and no date, so a rebuild gives the same bytes.
    let mut cmd = Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    cmd.build();
    pages(&cmd, &man)
        .with_context(|| format!("cannot write the man pages into {}", man.display()))?;
    std::fs::write(man.join("vmyard.toml.5"), config_page())
        .with_context(|| format!("cannot write {}", man.join("vmyard.toml.5").display()))?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut cmd.clone(), "vmyard", &completions)
            .with_context(|| format!("cannot write the {shell} completions"))?;
    }
    Ok(())
}

/// One page per command and subcommand, as clap_mangen names them (`vmyard-node-system.1`),
/// with the sections clap knows nothing of after its own.
fn pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render(&mut page)?;
    // After `build`, a subcommand's display name is its whole path (`vmyard-machineset-scale`).
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    page.write_all(extra_sections(name).as_bytes())?;
    std::fs::write(dir.join(man.get_filename()), page)
}

/// FILES, ENVIRONMENT, EXIT STATUS, EXAMPLES and SEE ALSO of the page of `name`
/// (`vmyard-machineset-scale`).
fn extra_sections(name: &str) -> String {
    let command = name.replace('-', " ");
    let examples = examples(&command);
    let mut out = String::from(
        r#".SH FILES
.TP
\fI/etc/vmyard/vmyard.toml\fR
The config file (see \fBvmyard.toml\fR(5)); edits apply while the service runs.
.TP
\fI/var/lib/vmyard/\fR
The data folder: the store (\fIvmyard.redb\fR) and the generated TLS key and certificate.
.TP
\fI/run/vmyard/vmyard.sock\fR
The local socket the commands use; the caller's user id decides the role.
.TP
\fI./vmyard-data/\fR
The demo's data folder, in the folder \fBvmyard serve --demo\fR runs in.
.SH ENVIRONMENT
.TP
\fBVMYARD_SOCKET\fR
The socket the commands use instead of the default.
.TP
\fBVMYARD_SERVER\fR, \fBVMYARD_TOKEN\fR
A service to ask over HTTPS, and the API token to send.
.TP
\fBVMYARD_LOG\fR
What the service logs, as a tracing filter (\fIinfo\fR by default; \fIdebug\fR says more).
.SH "EXIT STATUS"
.TP
\fB0\fR
Done; also when the reader of the output went away (\fB| head\fR).
.TP
\fB1\fR
Refused or failed: the message on standard error says why. \fBnode system\fR also exits 1
when any node it asked failed, after printing what the others answered.
.TP
\fB2\fR
The command line is wrong.
.SH EXAMPLES
"#,
    );
    for (what, line) in examples {
        out.push_str(&format!(
            ".PP\n{}\n.PP\n.RS 4\n\\fB{}\\fR\n.RE\n",
            roff(what),
            roff(&line)
        ));
    }
    out.push_str(".SH \"SEE ALSO\"\n\\fBvmyard\\fR(1), \\fBvmyard.toml\\fR(5)\n");
    out
}

/// What to show for a command: a purpose and a command line.
fn examples(command: &str) -> Vec<(&'static str, String)> {
    let specific: Vec<(&'static str, &'static str)> = match command {
        "vmyard" => vec![
            ("Try it with a simulated engine:", "vmyard serve --demo"),
            (
                "The providers and their collection state:",
                "vmyard providers",
            ),
            ("The VMs that cannot move, and why:", "vmyard concerns"),
        ],
        "vmyard serve" => vec![
            (
                "The service, as systemd runs it:",
                "vmyard serve --config /etc/vmyard/vmyard.toml",
            ),
            (
                "The demo on another port:",
                "vmyard serve --demo --listen 127.0.0.1:9443",
            ),
        ],
        "vmyard inventory" => vec![
            (
                "The blocked VMs of a cluster, by name:",
                "vmyard inventory vms --cluster cluster-01 -o json",
            ),
            (
                "One VM, every field:",
                "vmyard inventory vms 7d6a1c5e-0b6f-4c2a-9d0e-2f1b8c3d4e5f",
            ),
        ],
        "vmyard concerns" => vec![(
            "Counts and concerns of one provider:",
            "vmyard concerns --provider engine1",
        )],
        "vmyard report" => vec![(
            "The readiness report to hand on:",
            "vmyard report --format csv > readiness.csv",
        )],
        "vmyard node system" => vec![(
            "The disks of every node labelled site=lyon:",
            "vmyard node system disk --node site=lyon",
        )],
        "vmyard machineset scale" => vec![
            (
                "Scale down, seeing which machines go:",
                "vmyard machineset scale web --replicas 1",
            ),
            (
                "Without the question, in a script:",
                "vmyard machineset scale web --replicas 1 --yes",
            ),
        ],
        "vmyard token create" => vec![(
            "A token for Prometheus:",
            "vmyard token create --name prometheus --role viewer",
        )],
        "vmyard user hash" => vec![("A password hash for a [[users]] entry:", "vmyard user hash")],
        "vmyard config check" => vec![(
            "Check an edit before it applies:",
            "vmyard config check /etc/vmyard/vmyard.toml",
        )],
        _ => Vec::new(),
    };
    let mut out: Vec<(&'static str, String)> = specific
        .into_iter()
        .map(|(w, l)| (w, l.to_string()))
        .collect();
    if out.is_empty() {
        out.push(("What it takes:", format!("{command} --help")));
    }
    out
}

/// Text as roff reads it: backslashes escaped, and no line taken for a request.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `vmyard.toml(5)`: where the file is, how edits apply, and the reference config whole.
fn config_page() -> String {
    format!(
        r#".TH vmyard.toml 5 "" "vmyard {version}" "File Formats"
.SH NAME
vmyard.toml \- the configuration of vmyard
.SH DESCRIPTION
vmyard reads one TOML file, \fI/etc/vmyard/vmyard.toml\fR by default (\fBvmyard serve
\-\-config FILE\fR for another). The service watches it: a valid edit applies at once
(the keys that need a restart are named on the Settings page and by \fBvmyard status\fR);
an invalid edit is refused with the file, line and key at fault, and the last good config
stays in force. \fBvmyard config check FILE\fR checks an edit before it is saved over the
real file. Secrets are inline or in files of their own (\fIpassword_file\fR), which must
not be readable by others.
.SH EXAMPLE
The reference config, with every key and its default:
.PP
.nf
{config}
.fi
.SH FILES
.TP
\fI/etc/vmyard/vmyard.toml\fR
The config file.
.SH "SEE ALSO"
\fBvmyard\fR(1), \fBvmyard\-config\-check\fR(1)
"#,
        version = env!("CARGO_PKG_VERSION"),
        config = roff(REFERENCE_CONFIG),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_the_sections_people_look_for() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path()).unwrap();
        let mut pages = 0;
        for entry in std::fs::read_dir(dir.path().join("man")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            if path.extension().is_some_and(|e| e == "1") {
                pages += 1;
                for section in [
                    ".SH FILES",
                    ".SH ENVIRONMENT",
                    ".SH \"EXIT STATUS\"",
                    ".SH EXAMPLES",
                ] {
                    assert!(text.contains(section), "{} lacks {section}", path.display());
                }
            }
        }
        assert!(pages > 40, "{pages} pages");
        let scale =
            std::fs::read_to_string(dir.path().join("man/vmyard-machineset-scale.1")).unwrap();
        assert!(
            scale.contains("Scale down, seeing which machines go"),
            "{scale}"
        );
        let config = std::fs::read_to_string(dir.path().join("man/vmyard.toml.5")).unwrap();
        assert!(config.contains(".TH vmyard.toml 5"));
        assert!(config.contains("[server]"), "the reference config is in it");
    }

    #[test]
    fn roff_text_never_becomes_a_request() {
        assert_eq!(
            roff(".hidden\n'quote\na\\b"),
            "\\&.hidden\n\\&'quote\na\\eb"
        );
    }
}
