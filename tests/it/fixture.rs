//! Small synthetic datasets and configs in a temporary directory.
use assert_cmd::Command;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

/// A deterministic pseudo-random stream (tests must not depend on `rand`).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` rows: id, age (int), income (float), plan (text), group (protected), label (yes/no).
/// The label depends on age, income and plan, with noise, so a model reaches AUC ~0.9.
pub fn dataset(n: usize, seed: u64, shift: f64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("id,age,income,plan,group,label\n");
    let plans = ["basic", "plus", "pro"];
    for i in 0..n {
        let age = 18 + (r.next_f64() * 60.0) as i64;
        let income = (20.0 + r.next_f64() * 80.0 + shift).round();
        let plan = plans[(r.next_f64() * 3.0) as usize % 3];
        let group = if r.next_f64() < 0.5 { "a" } else { "b" };
        let z = (age as f64 - 45.0) / 10.0 - (income - 60.0) / 20.0
            + if plan == "pro" { 1.0 } else { 0.0 };
        let p = 1.0 / (1.0 + (-z).exp());
        let label = if r.next_f64() < p { "yes" } else { "no" };
        let _ = writeln!(s, "{i},{age},{income},{plan},{group},{label}");
    }
    s
}

pub const BASE_CONFIG: &str = r#"
[data]
path = "data.csv"
target = "label"
positive = "yes"
drop = ["id"]
protected = ["group"]
seed = 7
"#;

impl Fixture {
    /// A temp dir with `data.csv` (600 rows) and `gates.toml` = BASE_CONFIG + `extra`.
    pub fn new(extra: &str) -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        f.write("data.csv", &dataset(600, 1, 0.0));
        f.write("gates.toml", &format!("{BASE_CONFIG}{extra}"));
        f
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write fixture");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// `release-gate <args>` run inside the fixture dir.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("release-gate").expect("binary");
        c.current_dir(self.dir.path()).args(args);
        // Lineage must not pick up the CI that runs these tests.
        for k in [
            "GITHUB_ACTIONS",
            "GITHUB_HEAD_REF",
            "GITHUB_REF_NAME",
            "GITLAB_CI",
            "CI",
            "CI_COMMIT_REF_NAME",
        ] {
            c.env_remove(k);
        }
        c
    }

    /// Runs `check`, asserts the exit code, returns the parsed report.json.
    pub fn check(&self, expected_code: i32) -> serde_json::Value {
        let out = self.cmd(&["check"]).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(expected_code),
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        self.report()
    }

    pub fn report(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("release-gate-out/report.json"))
            .expect("report.json is JSON")
    }
}

/// The gate named `name` in a report.
/// `model.features` of a report, in order.
pub fn features(report: &serde_json::Value) -> Vec<&str> {
    report["model"]["features"]
        .as_array()
        .expect("model.features")
        .iter()
        .map(|v| v.as_str().expect("a feature name"))
        .collect()
}

pub fn gate<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["gates"]
        .as_array()
        .and_then(|g| g.iter().find(|x| x["name"] == name))
        .unwrap_or_else(|| panic!("no gate {name:?} in {}", report["gates"]))
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
