//! The unit under real systemd as PID 1: a Debian root with systemd, booted with
//! `systemd-nspawn --boot`, gets the deb; the service starts and reports READY, feeds the
//! watchdog, is restarted by systemd when it stops feeding it, and stops cleanly.
//!
//! Needs root, debootstrap and systemd-nspawn (Debian's systemd-container), as `.ci/run`
//! installs. The booted root is made once with debootstrap and kept as
//! `target/packaging-test/debian-*-systemd.tar`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::packaging::{command, debootstrap_tar, packages, run};

/// A Debian root with systemd, dbus and ca-certificates, as a tar made once.
fn systemd_root() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        debootstrap_tar(
            "systemd",
            &["systemd", "systemd-sysv", "dbus", "ca-certificates"],
        )
    })
}

/// A booted container: `systemd-nspawn --boot` on a fresh copy of the root, with a private
/// network (loopback only). Powered off when dropped.
struct Booted {
    nspawn: Child,
    init: u32,
    _dir: tempfile::TempDir,
}

impl Booted {
    fn boot(deb: &Path) -> Booted {
        let dir = tempfile::tempdir_in(systemd_root().parent().unwrap()).unwrap();
        run(command(
            "tar",
            &[
                "-C",
                dir.path().to_str().unwrap(),
                "-xf",
                systemd_root().to_str().unwrap(),
            ],
        ));
        // Not under /tmp: the booted system mounts a fresh tmpfs there.
        std::fs::copy(deb, dir.path().join("vmyard.deb")).unwrap();
        let nspawn = Command::new("systemd-nspawn")
            .args([
                "--boot",
                "--register=no",
                "--keep-unit",
                "--private-network",
            ])
            .args(["--console=pipe", "-D"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("systemd-nspawn runs (Debian's systemd-container)");
        let mut booted = Booted {
            init: 0,
            nspawn,
            _dir: dir,
        };
        booted.init = wait_for("the container's init", Duration::from_secs(60), || {
            if let Ok(Some(status)) = booted.nspawn.try_wait() {
                panic!("systemd-nspawn ended: {status}");
            }
            // nspawn's child execs the container's init a moment after it is forked: only
            // once it is systemd are its namespaces the container's.
            first_child(booted.nspawn.id()).filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == "systemd")
            })
        });
        // `is-system-running --wait` returns once the boot is over, whatever its verdict.
        let state = booted.exec_out(&["systemctl", "is-system-running", "--wait"]);
        assert!(
            matches!(state.trim(), "running" | "degraded"),
            "the container did not boot: {state}"
        );
        booted
    }

    /// A command inside the container, in all its namespaces.
    fn exec(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.args(["-t", &self.init.to_string(), "-a", "--"])
            .args(args)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LANG", "C.UTF-8");
        cmd
    }

    /// Its stdout, whatever its exit status.
    fn exec_out(&self, args: &[&str]) -> String {
        let out = self.exec(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// One property of the vmyard unit.
    fn unit(&self, property: &str) -> String {
        self.exec_out(&["systemctl", "show", "vmyard", "-p", property, "--value"])
            .trim()
            .to_string()
    }

    fn journal(&self) -> String {
        self.exec_out(&["journalctl", "-u", "vmyard", "--no-pager", "-n", "60"])
    }
}

impl Drop for Booted {
    fn drop(&mut self) {
        // nspawn asks the container's init for an orderly power-off on SIGTERM.
        let _ = command("kill", &["-TERM", &self.nspawn.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.nspawn.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.nspawn.kill();
        let _ = self.nspawn.wait();
    }
}

/// The first child of a process (the container's init is nspawn's only child).
fn first_child(pid: u32) -> Option<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).ok()?;
        if let Some(c) = children.split_whitespace().next() {
            return c.parse().ok();
        }
    }
    None
}

fn wait_for<T>(what: &str, within: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "no {what} within {within:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn the_package_boots_under_systemd_feeds_the_watchdog_and_is_restarted_when_it_stalls() {
    let booted = Booted::boot(&packages().deb);
    run(booted.exec(&["dpkg", "-i", "/vmyard.deb"]));
    assert_eq!(booted.unit("UnitFileState"), "enabled");

    // Type=notify: `systemctl start` returns once vmyard said READY=1.
    let start = booted
        .exec(&["systemctl", "start", "vmyard"])
        .output()
        .unwrap();
    assert!(
        start.status.success(),
        "start failed: {}\n{}",
        String::from_utf8_lossy(&start.stderr),
        booted.journal()
    );
    assert_eq!(booted.unit("ActiveState"), "active", "{}", booted.journal());
    assert_eq!(booted.unit("WatchdogUSec"), "30s");
    // The watchdog is fed: systemd records the time of the last WATCHDOG=1.
    wait_for("a watchdog ping", Duration::from_secs(30), || {
        (booted
            .unit("WatchdogTimestampMonotonic")
            .parse::<u64>()
            .ok()?
            > 0)
        .then_some(())
    });
    let health = booted.exec_out(&["vmyard", "status"]);
    assert!(health.contains("store"), "vmyard status: {health}");

    // Every loop stalls at once (the process is stopped): the pings end, systemd kills the
    // service when WatchdogSec has passed and starts it again.
    let pid = booted.unit("MainPID");
    run(booted.exec(&[
        "systemctl",
        "kill",
        "--kill-whom=main",
        "--signal=SIGSTOP",
        "vmyard",
    ]));
    let restarted = wait_for("a restart by the watchdog", Duration::from_secs(90), || {
        let now = booted.unit("MainPID");
        (now != pid && now != "0" && booted.unit("ActiveState") == "active").then_some(now)
    });
    assert_ne!(restarted, pid);
    assert!(
        booted.unit("NRestarts").parse::<u32>().unwrap() >= 1,
        "{}",
        booted.journal()
    );
    assert!(
        booted.journal().contains("Watchdog timeout"),
        "{}",
        booted.journal()
    );

    // A clean stop: SIGTERM, STOPPING=1, exit 0.
    run(booted.exec(&["systemctl", "stop", "vmyard"]));
    assert_eq!(booted.unit("ActiveState"), "inactive");
    assert_eq!(booted.unit("Result"), "success", "{}", booted.journal());
}
