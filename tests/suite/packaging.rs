//! The packages as an admin meets them. `packaging/build` makes the `.deb` and the `.rpm`
//! (the release binary is reused when it is up to date); their contents and metadata are
//! read back with dpkg-deb and rpm; the unit is checked with `systemd-analyze`; then each
//! package is installed into a clean Debian root and used there.
//!
//! The clean root is a `debootstrap --variant=minbase` Debian, made once and kept as a tar
//! file in the target folder; every test unpacks a fresh copy. The package manager runs
//! inside it with `chroot`, so the maintainer scripts really run: they create the user with
//! the root's own useradd, dpkg-statoverride and deb-systemd-helper. Commands run in a
//! network namespace of their own (`ip netns`), with /proc mounted in the mount namespace
//! `ip netns exec` makes, so the installed config's `0.0.0.0:8443` never meets a port in use
//! and nothing is left mounted. systemd itself does not run here: the service is started
//! the way the unit starts it (as vmyard, no new privileges, no capabilities, the runtime
//! folder made first) and `systemd-analyze` checks the unit.
//!
//! Needs root, debootstrap, dpkg-deb, rpm, iproute2, curl, man and systemd-analyze; `.ci/run`
//! installs the missing ones.

use std::borrow::BorrowMut;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where Debian comes from for the clean root.
const MIRROR: &str = "http://deb.debian.org/debian";
const SUITE: &str = "bookworm";

/// The built packages.
pub(super) struct Packages {
    pub(super) deb: PathBuf,
    rpm: PathBuf,
    binary: PathBuf,
}

/// The target folder this test was built into (`<target>/debug/vmyard` is the binary).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_vmyard"))
        .parent()
        .and_then(Path::parent)
        .expect("the binary lives in <target>/<profile>/")
        .to_path_buf()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command; panics with its output unless it succeeds; returns its stdout.
pub(super) fn run(mut cmd: impl BorrowMut<Command>) -> String {
    let cmd = cmd.borrow_mut();
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(super) fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    cmd
}

/// Builds both packages once for all the tests of this file.
pub(super) fn packages() -> &'static Packages {
    static BUILT: OnceLock<Packages> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = target_dir();
        let started = Instant::now();
        run(Command::new(repo().join("packaging/build"))
            .env("CARGO_TARGET_DIR", &target)
            .stdout(Stdio::inherit()));
        eprintln!("packaging/build: {:.0?}", started.elapsed());
        let out = target.join("packages");
        let find = |ext: &str| {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect();
            assert_eq!(found.len(), 1, "one .{ext} in {}: {found:?}", out.display());
            found.remove(0)
        };
        Packages {
            deb: find("deb"),
            rpm: find("rpm"),
            binary: target.join("release/vmyard"),
        }
    })
}

/// The files every package must ship, with their modes.
const SHIPPED: &[(&str, u32)] = &[
    ("/usr/bin/vmyard", 0o755),
    ("/etc/vmyard/vmyard.toml", 0o640),
    ("/usr/lib/systemd/system/vmyard.service", 0o644),
    ("/usr/share/man/man1/vmyard.1.gz", 0o644),
    ("/usr/share/man/man5/vmyard.toml.5.gz", 0o644),
    ("/usr/share/man/man1/vmyard-serve.1.gz", 0o644),
    ("/usr/share/man/man1/vmyard-config-check.1.gz", 0o644),
    ("/usr/share/bash-completion/completions/vmyard", 0o644),
    ("/usr/share/fish/vendor_completions.d/vmyard.fish", 0o644),
];

#[test]
fn release_binary_links_only_the_c_library() {
    let p = packages();
    let ldd = run(command("ldd", &[p.binary.to_str().unwrap()]));
    for line in ldd.lines() {
        let lib = line.split_whitespace().next().unwrap_or_default();
        let base = lib.rsplit('/').next().unwrap_or_default();
        assert!(
            ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libgcc_s.so.1"].contains(&base)
                || base.starts_with("ld-linux"),
            "the release binary links {lib}; only the C library is allowed:\n{ldd}"
        );
    }
    let size = std::fs::metadata(&p.binary).unwrap().len();
    eprintln!(
        "release binary: {size} bytes ({:.1} MiB)\n{ldd}",
        size as f64 / 1_048_576.0
    );
}

#[test]
fn deb_contents_and_metadata() {
    let deb = packages().deb.to_str().unwrap();
    let info = run(command("dpkg-deb", &["--info", deb]));
    for want in ["Package: vmyard", "Version: 0.1.0-1", "Architecture: amd64"] {
        assert!(info.contains(want), "{want} missing from:\n{info}");
    }
    let depends = run(command("dpkg-deb", &["--field", deb, "Depends"]));
    assert!(
        depends.contains("libc6") && depends.contains("passwd"),
        "{depends}"
    );
    assert!(!depends.contains("ssl"), "no OpenSSL: {depends}");
    let conffiles = run(command("dpkg-deb", &["--info", deb, "conffiles"]));
    assert_eq!(conffiles.trim(), "/etc/vmyard/vmyard.toml");
    // The systemd snippets: enabled on install, never started by the package itself,
    // try-restart on upgrade, stopped only on remove.
    let postinst = run(command("dpkg-deb", &["--info", deb, "postinst"]));
    assert!(postinst.contains("deb-systemd-helper enable vmyard.service"));
    assert!(postinst.contains("deb-systemd-invoke try-restart vmyard.service"));
    assert!(!postinst.contains("deb-systemd-invoke start"), "{postinst}");
    let prerm = run(command("dpkg-deb", &["--info", deb, "prerm"]));
    assert!(prerm.contains("\"$1\" = remove") && prerm.contains("stop vmyard.service"));

    let listing = run(command("dpkg-deb", &["--contents", deb]));
    for (path, mode) in SHIPPED.iter().chain(&[
        ("/usr/share/zsh/vendor-completions/_vmyard", 0o644),
        ("/usr/share/doc/vmyard/LICENSE", 0o644),
    ]) {
        let line = listing
            .lines()
            .find(|l| l.ends_with(&format!(".{path}")))
            .unwrap_or_else(|| panic!("{path} missing from the deb:\n{listing}"));
        assert!(
            line.starts_with(&format!("-{}", mode_string(*mode))),
            "{path}: {line}"
        );
    }
}

#[test]
fn rpm_contents_and_metadata() {
    let rpm = packages().rpm.to_str().unwrap();
    let info = run(command("rpm", &["-qip", rpm]));
    for want in [
        "Name        : vmyard",
        "Version     : 0.1.0",
        "Architecture: x86_64",
        "License     : Apache-2.0",
    ] {
        assert!(info.contains(want), "{want} missing from:\n{info}");
    }
    let requires = run(command("rpm", &["-qpR", rpm]));
    assert!(requires.contains("/usr/sbin/useradd"), "{requires}");
    assert!(!requires.contains("ssl"), "no OpenSSL: {requires}");
    // Owner, group, mode and the config flag of every file.
    let files = run(command(
        "rpm",
        &[
            "-qp",
            "--qf",
            "[%{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags}\n]",
            rpm,
        ],
    ));
    for (path, mode) in SHIPPED.iter().chain(&[
        ("/usr/share/zsh/site-functions/_vmyard", 0o644),
        ("/usr/share/licenses/vmyard/LICENSE", 0o644),
    ]) {
        let line = files
            .lines()
            .find(|l| l.split(' ').next() == Some(path))
            .unwrap_or_else(|| panic!("{path} missing from the rpm:\n{files}"));
        assert!(
            line.contains(&format!(" -{} ", mode_string(*mode))),
            "{line}"
        );
    }
    assert!(
        files
            .lines()
            .any(|l| l == "/etc/vmyard/vmyard.toml -rw-r----- root vmyard cn"),
        "the config is root:vmyard 0640, %config(noreplace):\n{files}"
    );
    let scripts = run(command("rpm", &["-qp", "--scripts", rpm]));
    for phase in ["preinstall", "postinstall", "preuninstall", "postuninstall"] {
        assert!(scripts.contains(&format!("{phase} scriptlet")), "{scripts}");
    }
}

#[test]
fn unit_verifies_and_is_hardened() {
    let deb = &packages().deb;
    let tree = tempfile::tempdir_in(target_dir()).unwrap();
    run(command(
        "dpkg-deb",
        &["-x", deb.to_str().unwrap(), tree.path().to_str().unwrap()],
    ));
    let unit = tree.path().join("usr/lib/systemd/system/vmyard.service");
    assert_eq!(
        std::fs::read_to_string(&unit).unwrap(),
        std::fs::read_to_string(repo().join("packaging/vmyard.service")).unwrap()
    );
    // verify wants ExecStart's binary at its real path and the Documentation= man pages:
    // the packaged /usr/bin is laid over the host's in a mount namespace of its own, and
    // man looks in the packaged man folder.
    let script = format!(
        "mount -t overlay overlay -o lowerdir={tree}/usr/bin:/usr/bin /usr/bin && \
         MANPATH={tree}/usr/share/man systemd-analyze verify {unit}",
        tree = tree.path().display(),
        unit = unit.display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "sh", "-c", &script])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "{stderr}");

    let security = run(command(
        "systemd-analyze",
        &["security", "--offline=true", unit.to_str().unwrap()],
    ));
    let overall = security
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("{security}"));
    eprintln!("{overall}");
    let mut words = overall.rsplit(':').next().unwrap().split_whitespace();
    let score: f64 = words.next().unwrap().parse().unwrap();
    let rating = words.next().unwrap();
    assert!(
        ["SAFE", "OK"].contains(&rating) && score <= 2.0,
        "{overall}"
    );
}

/// `ls -l` style permission bits.
fn mode_string(mode: u32) -> String {
    (0..9)
        .map(|i| {
            let bit = 0o400 >> i;
            if mode & bit == 0 {
                '-'
            } else {
                ['r', 'w', 'x'][i % 3]
            }
        })
        .collect()
}

/// The pristine clean root as a tar file, made with debootstrap the first time.
fn base_root() -> &'static Path {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| debootstrap_tar("minbase", &[]))
}

/// A `debootstrap --variant=minbase` root with the `include`d packages, kept as
/// `target/packaging-test/debian-SUITE-NAME.tar` and made only when that file is missing.
pub(super) fn debootstrap_tar(name: &str, include: &[&str]) -> PathBuf {
    let dir = target_dir().join("packaging-test");
    std::fs::create_dir_all(&dir).unwrap();
    let tar = dir.join(format!("debian-{SUITE}-{name}.tar"));
    if tar.exists() {
        return tar;
    }
    let started = Instant::now();
    let tree = tempfile::tempdir_in(&dir).unwrap();
    let include = format!("--include={}", include.join(","));
    let mut args = vec!["--variant=minbase"];
    if include.len() > "--include=".len() {
        args.push(&include);
    }
    args.extend([SUITE, tree.path().to_str().unwrap(), MIRROR]);
    run(command("debootstrap", &args));
    let partial = dir.join(format!("partial-{name}.tar"));
    run(command(
        "tar",
        &[
            "-C",
            tree.path().to_str().unwrap(),
            "-cf",
            partial.to_str().unwrap(),
            ".",
        ],
    ));
    std::fs::rename(&partial, &tar).unwrap();
    eprintln!("debootstrap {name}: {:.0?}", started.elapsed());
    tar
}

/// A fresh copy of the clean root with a network namespace (loopback only) of its own.
struct Root {
    dir: tempfile::TempDir,
    netns: String,
}

impl Root {
    fn new(name: &str) -> Root {
        let dir = tempfile::tempdir_in(base_root().parent().unwrap()).unwrap();
        // The root's top folder is the root directory: 0755, like /.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        run(command(
            "tar",
            &[
                "-C",
                dir.path().to_str().unwrap(),
                "-xf",
                base_root().to_str().unwrap(),
            ],
        ));
        let netns = format!("vmyard-{name}-{}", std::process::id());
        let _ = command("ip", &["netns", "del", &netns]).output();
        run(command("ip", &["netns", "add", &netns]));
        run(command(
            "ip",
            &["netns", "exec", &netns, "ip", "link", "set", "lo", "up"],
        ));
        Root { dir, netns }
    }

    fn path(&self, inside: &str) -> PathBuf {
        self.dir.path().join(inside.trim_start_matches('/'))
    }

    /// A command run as root inside the root, in its network namespace, with /proc mounted.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.netns, "sh", "-c"])
            .arg(r#"mount -t proc proc "$0/proc" && exec chroot "$0" "$@""#)
            .arg(self.dir.path())
            .args(args)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LANG", "C.UTF-8");
        cmd
    }

    /// As `cmd`, but as the vmyard user the way the unit runs it: its own groups, no new
    /// privileges, no capabilities, UMask=0077.
    fn as_vmyard(&self, args: &[&str]) -> Command {
        let mut all = vec![
            "sh",
            "-c",
            r#"umask 0077 && exec "$@""#,
            "sh",
            "setpriv",
            "--reuid=vmyard",
            "--regid=vmyard",
            "--init-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ];
        all.extend_from_slice(args);
        self.cmd(&all)
    }

    fn sh(&self, script: &str) -> String {
        run(&mut self.cmd(&["sh", "-c", script]))
    }

    /// `OWNER:GROUP MODE` of a path inside the root, as the root's own names say.
    fn stat(&self, path: &str) -> String {
        self.sh(&format!("stat -c '%U:%G %a' {path}"))
            .trim()
            .to_string()
    }

    fn curl_healthz(&self) -> Option<String> {
        let out = command(
            "ip",
            &[
                "netns",
                "exec",
                &self.netns,
                "curl",
                "-sk",
                "--max-time",
                "2",
                "https://127.0.0.1:8443/healthz",
            ],
        )
        .output()
        .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Waits until `check` gives an answer, or panics after `within`.
    fn wait_for<T>(&self, what: &str, within: Duration, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + within;
        loop {
            if let Some(v) = check() {
                return v;
            }
            assert!(Instant::now() < deadline, "{what} within {within:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = command("ip", &["netns", "del", &self.netns]).output();
    }
}

/// A service process that is sent SIGTERM when dropped (a failed assertion included).
struct Service(Child);

impl Service {
    fn start(mut cmd: Command) -> Service {
        Service(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        )
    }

    /// SIGTERM, then the exit must be clean.
    fn stop(mut self) {
        terminate(&self.0);
        let status = self.0.wait().unwrap();
        let mut stderr = String::new();
        use std::io::Read;
        if let Some(mut e) = self.0.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        assert!(status.success(), "{status}: {stderr}");
    }
}

fn terminate(child: &Child) {
    let _ = command("kill", &["-TERM", &child.id().to_string()]).status();
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            terminate(&self.0);
            let _ = self.0.wait();
        }
    }
}

#[test]
fn deb_installs_runs_upgrades_removes_and_purges() {
    let deb = &packages().deb;
    let root = Root::new("deb");
    std::fs::copy(deb, root.path("/tmp/vmyard.deb")).unwrap();
    root.sh("dpkg -i /tmp/vmyard.deb");

    // The user, the folders and their permissions.
    let passwd = root.sh("getent passwd vmyard");
    let fields: Vec<&str> = passwd.trim().split(':').collect();
    let uid: u32 = fields[2].parse().unwrap();
    assert!(uid < 1000, "a system user: {passwd}");
    assert_eq!(fields[5], "/var/lib/vmyard");
    assert_eq!(fields[6], "/usr/sbin/nologin");
    assert_eq!(root.stat("/etc/vmyard"), "root:vmyard 750");
    assert_eq!(root.stat("/etc/vmyard/vmyard.toml"), "root:vmyard 640");
    assert_eq!(root.stat("/var/lib/vmyard"), "vmyard:vmyard 750");
    assert_eq!(root.stat("/usr/bin/vmyard"), "root:root 755");
    assert_eq!(
        std::fs::read(root.path("/etc/vmyard/vmyard.toml")).unwrap(),
        std::fs::read(repo().join("config/vmyard.toml")).unwrap()
    );
    // Enabled (multi-user.target wants it) but not started by the package.
    let wants = root.path("/etc/systemd/system/multi-user.target.wants/vmyard.service");
    // (deb-systemd-helper links /lib/..., the same folder on a merged-/usr system.)
    let link = std::fs::read_link(&wants).unwrap();
    assert!(
        link.ends_with("systemd/system/vmyard.service"),
        "{}",
        link.display()
    );
    // The man page and completions are where man and the shells look.
    assert!(root.path("/usr/share/man/man1/vmyard.1.gz").exists());
    assert!(
        root.path("/usr/share/bash-completion/completions/vmyard")
            .exists()
    );

    // The service user may read the config; other users may not.
    run(root.as_vmyard(&["vmyard", "config", "check", "/etc/vmyard/vmyard.toml"]));
    let other = root
        .cmd(&[
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "vmyard",
            "config",
            "check",
            "/etc/vmyard/vmyard.toml",
        ])
        .output()
        .unwrap();
    assert!(!other.status.success(), "nobody read the config");

    // The installed service with the installed config, as systemd would start it.
    root.sh("install -d -o vmyard -g vmyard -m 0750 /run/vmyard");
    let service = Service::start(root.as_vmyard(&[
        "/usr/bin/vmyard",
        "serve",
        "--config",
        "/etc/vmyard/vmyard.toml",
    ]));
    let health = root.wait_for("HTTPS on 0.0.0.0:8443", Duration::from_secs(30), || {
        root.curl_healthz()
    });
    assert!(health.contains("ok"), "{health}");
    // root is an admin over the local socket, with no token.
    let status = root.wait_for("the socket", Duration::from_secs(10), || {
        let out = root
            .cmd(&["vmyard", "status", "-o", "json"])
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    });
    let status: serde_json::Value = serde_json::from_slice(&status).unwrap();
    assert_eq!(status["config"]["file"], "/etc/vmyard/vmyard.toml");
    assert!(status["config"]["error"].is_null(), "{status}");
    assert_eq!(root.stat("/run/vmyard/vmyard.sock"), "vmyard:vmyard 660");
    assert_eq!(
        root.stat("/var/lib/vmyard/vmyard.redb"),
        "vmyard:vmyard 600"
    );
    assert_eq!(
        root.stat("/var/lib/vmyard/tls/key.pem"),
        "vmyard:vmyard 600"
    );
    service.stop();

    // The demo, from the service's home, answering on loopback.
    let demo = Service::start(root.as_vmyard(&[
        "sh",
        "-c",
        "cd /var/lib/vmyard && exec vmyard serve --demo --vms 50",
    ]));
    let health = root.wait_for(
        "the demo on 127.0.0.1:8443",
        Duration::from_secs(30),
        || root.curl_healthz(),
    );
    assert!(health.contains("ok"), "{health}");
    demo.stop();

    // An upgrade (the same package again) keeps the admin's edit, the modes and the data.
    root.sh("echo '# edited by the admin' >> /etc/vmyard/vmyard.toml");
    root.sh("dpkg -i /tmp/vmyard.deb");
    assert!(
        std::fs::read_to_string(root.path("/etc/vmyard/vmyard.toml"))
            .unwrap()
            .contains("# edited by the admin")
    );
    assert_eq!(root.stat("/etc/vmyard/vmyard.toml"), "root:vmyard 640");
    assert!(root.path("/var/lib/vmyard/vmyard.redb").exists());

    // Remove keeps the config and the data; only the program goes.
    root.sh("dpkg -r vmyard");
    assert!(!root.path("/usr/bin/vmyard").exists());
    assert!(root.path("/etc/vmyard/vmyard.toml").exists());
    assert!(root.path("/var/lib/vmyard/vmyard.redb").exists());
    assert!(!wants.exists(), "a removed unit is no longer wanted");

    // Purge deletes them; the user stays.
    root.sh("dpkg -P vmyard");
    assert!(!root.path("/etc/vmyard").exists());
    assert!(!root.path("/var/lib/vmyard").exists());
    // dpkg-statoverride --list fails when it has nothing to list.
    let overrides = root.cmd(&["dpkg-statoverride", "--list"]).output().unwrap();
    assert!(
        !overrides.status.success() && overrides.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&overrides.stdout)
    );
    root.sh("getent passwd vmyard");
}

#[test]
fn rpm_installs_into_a_scratch_root() {
    let rpm = &packages().rpm;
    let root = Root::new("rpm");
    // The database where Fedora and RHEL keep it (Debian's rpm would use ~/.rpmdb). The
    // root's own shell runs the scriptlets; dependencies aside, as the root is Debian's.
    let rpm_in = |args: &[&str]| {
        let mut cmd = command(
            "rpm",
            &[
                "--root",
                root.dir.path().to_str().unwrap(),
                "--dbpath",
                "/var/lib/rpm",
            ],
        );
        cmd.args(args);
        run(cmd)
    };
    rpm_in(&["--initdb"]);
    rpm_in(&["-i", "--nodeps", rpm.to_str().unwrap()]);
    assert_eq!(rpm_in(&["-q", "vmyard"]).trim(), "vmyard-0.1.0-1.x86_64");

    let passwd = root.sh("getent passwd vmyard");
    assert!(passwd.contains(":/var/lib/vmyard:"), "{passwd}");
    assert_eq!(root.stat("/etc/vmyard"), "root:vmyard 750");
    assert_eq!(root.stat("/etc/vmyard/vmyard.toml"), "root:vmyard 640");
    assert_eq!(root.stat("/var/lib/vmyard"), "vmyard:vmyard 750");
    assert_eq!(root.stat("/usr/bin/vmyard"), "root:root 755");
    assert_eq!(
        root.stat("/usr/lib/systemd/system/vmyard.service"),
        "root:root 644"
    );
    run(root.as_vmyard(&["vmyard", "config", "check", "/etc/vmyard/vmyard.toml"]));

    // An erase keeps the data; the unedited config goes with the package.
    root.sh("touch /var/lib/vmyard/vmyard.redb");
    rpm_in(&["-e", "vmyard"]);
    assert!(!root.path("/usr/bin/vmyard").exists());
    assert!(root.path("/var/lib/vmyard/vmyard.redb").exists());
}
