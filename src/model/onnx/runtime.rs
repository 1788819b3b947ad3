//! Finding and loading the ONNX Runtime shared library, once, on first use.
//!
//! release-gate does not link ONNX Runtime: `ort` is built with
//! `load-dynamic`, so a binary that never scores an ONNX model never needs the
//! library. The first ONNX model looks for it in this order:
//!
//! 1. `ORT_DYLIB_PATH` (a path to `libonnxruntime.so` / `.dylib` /
//!    `onnxruntime.dll`), when set and non-empty;
//! 2. the `onnxruntime` Python wheel of the active environment
//!    (`$VIRTUAL_ENV`, then `$CONDA_PREFIX`): `site-packages/onnxruntime/capi/`;
//! 3. the wheel `python3` imports (`python3 -c 'import onnxruntime'`).
//!
//! The outcome (the environment or the error) is kept for the process.
use super::OnnxError;
use ort::environment::Environment;
use ort::logging::LogLevel;
use ort::session::builder::SessionBuilder;
use ort::session::Session;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The fix printed whenever the library cannot be found or loaded.
const FIX: &str = "install ONNX Runtime into the active Python environment \
     (`pip install onnxruntime`) or point ORT_DYLIB_PATH at the library \
     (`export ORT_DYLIB_PATH=/path/to/libonnxruntime.so`)";

/// The environment every session shares, created on first use.
fn environment() -> Result<&'static Environment, OnnxError> {
    static ENV: OnceLock<Result<Environment, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let path = find_library(std::env::var_os("ORT_DYLIB_PATH"), &python_prefixes(), true)
            .map_err(|e| e.to_string())?;
        load(&path)
    })
    .as_ref()
    .map_err(|e| OnnxError::Runtime(e.clone()))
}

/// A session for the model at `path`: one intra-op and one inter-op thread,
/// so scores do not depend on the machine's core count, and warnings off
/// (ONNX Runtime logs shape warnings for many converted models).
pub fn session(path: &Path) -> Result<Session, OnnxError> {
    builder(path)?
        .commit_from_file(path)
        .map_err(|e| model_error(path, format!("ONNX Runtime cannot load the model: {e}")))
}

/// A session as [`session`] makes, for `bytes`: a rewritten copy of the
/// model at `path` (named in errors).
pub fn session_from_memory(path: &Path, bytes: &[u8]) -> Result<Session, OnnxError> {
    builder(path)?
        .commit_from_memory(bytes)
        .map_err(|e| model_error(path, format!("ONNX Runtime cannot load the model: {e}")))
}

fn model_error(path: &Path, message: String) -> OnnxError {
    OnnxError::Model {
        path: path.display().to_string(),
        message,
    }
}

fn builder(path: &Path) -> Result<SessionBuilder, OnnxError> {
    let env = environment()?;
    let opt = |e: ort::Error<_>| model_error(path, e.to_string());
    Session::builder(env)
        .map_err(|e| model_error(path, e.to_string()))?
        .with_intra_threads(1)
        .map_err(opt)?
        .with_inter_threads(1)
        .map_err(opt)?
        .with_log_level(LogLevel::Error)
        .map_err(opt)
}

/// Loads the library at `path` and creates the environment. A file that is
/// not a shared library is rejected before it reaches the loader, and a panic
/// inside `ort` becomes an error.
fn load(path: &Path) -> Result<Environment, String> {
    check_library_file(path)?;
    // `ort` resolves a relative path against the executable's folder; ours
    // are relative to the working directory, as a user expects.
    let path = &std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let built = std::panic::catch_unwind(|| {
        ort::init_from(path)
            .map_err(|e| e.to_string())?
            .with_name("release-gate")
            .with_telemetry(false)
            .build()
            .map_err(|e| e.to_string())
    });
    match built {
        Ok(Ok(env)) => Ok(env),
        Ok(Err(e)) => Err(format!(
            "cannot load ONNX Runtime from {}: {e}; {FIX}",
            path.display()
        )),
        Err(_) => Err(format!(
            "loading ONNX Runtime from {} failed (panic in ort); {FIX}",
            path.display()
        )),
    }
}

/// Whether `path` is a readable file that starts like a shared library
/// (ELF, Mach-O or PE).
pub fn check_library_file(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut head = [0u8; 4];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    if let Err(e) = read {
        return Err(format!(
            "ONNX Runtime library {} cannot be read ({e}); {FIX}",
            path.display()
        ));
    }
    let known: [&[u8]; 6] = [
        b"\x7fELF",
        b"\xcf\xfa\xed\xfe",
        b"\xce\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"\xfe\xed\xfa\xcf",
        b"MZ",
    ];
    if known.iter().any(|m| head.starts_with(m)) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a shared library (expected libonnxruntime.so, .dylib or onnxruntime.dll); {FIX}",
            path.display()
        ))
    }
}

/// The Python environment prefixes to search: `$VIRTUAL_ENV`, `$CONDA_PREFIX`.
fn python_prefixes() -> Vec<PathBuf> {
    ["VIRTUAL_ENV", "CONDA_PREFIX"]
        .iter()
        .filter_map(std::env::var_os)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Finds the ONNX Runtime library: `ort_dylib_path` (the value of
/// `ORT_DYLIB_PATH`) when given and non-empty, else the `onnxruntime` wheel
/// under one of `prefixes`, else (when `ask_python`) the wheel `python3`
/// imports. The error names the places searched and the fix.
pub fn find_library(
    ort_dylib_path: Option<OsString>,
    prefixes: &[PathBuf],
    ask_python: bool,
) -> Result<PathBuf, OnnxError> {
    if let Some(p) = ort_dylib_path.filter(|p| !p.is_empty()) {
        let path = PathBuf::from(p);
        if path.is_file() {
            return Ok(path);
        }
        return Err(OnnxError::Runtime(format!(
            "ORT_DYLIB_PATH={} does not exist or is not a file; {FIX}",
            path.display()
        )));
    }
    let mut searched = Vec::new();
    for prefix in prefixes {
        for capi in wheel_dirs(prefix) {
            if let Some(lib) = library_in(&capi) {
                return Ok(lib);
            }
        }
        searched.push(prefix.display().to_string());
    }
    if ask_python {
        if let Some(dir) = python_onnxruntime_dir() {
            if let Some(lib) = library_in(&dir.join("capi")) {
                return Ok(lib);
            }
            searched.push(dir.display().to_string());
        } else {
            searched.push("python3 (no onnxruntime module)".into());
        }
    }
    let searched = if searched.is_empty() {
        String::from("ORT_DYLIB_PATH is not set")
    } else {
        format!(
            "ORT_DYLIB_PATH is not set; searched {}",
            searched.join(", ")
        )
    };
    Err(OnnxError::Runtime(format!(
        "ONNX Runtime library not found ({searched}); {FIX}"
    )))
}

/// `onnxruntime/capi` folders of the wheel under a Python prefix (Unix
/// `lib/python3.*/site-packages`, Windows `Lib/site-packages`).
fn wheel_dirs(prefix: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for lib in ["lib", "lib64"] {
        if let Ok(entries) = std::fs::read_dir(prefix.join(lib)) {
            let mut pythons: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
                .map(|e| e.path().join("site-packages/onnxruntime/capi"))
                .collect();
            pythons.sort();
            dirs.extend(pythons);
        }
    }
    dirs.push(prefix.join("Lib/site-packages/onnxruntime/capi"));
    dirs
}

/// The ONNX Runtime library in a wheel's `capi` folder: `libonnxruntime.so*`
/// (the highest version when several), `libonnxruntime*.dylib` or
/// `onnxruntime.dll`; never the `_providers_*` plugins.
pub fn library_in(capi: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(capi).ok()?;
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            (n.starts_with("libonnxruntime.so")
                || (n.starts_with("libonnxruntime") && n.ends_with(".dylib"))
                || n == "onnxruntime.dll")
                && !n.contains("providers")
        })
        .collect();
    // Longest name first, so `libonnxruntime.so.1.32.0` beats the bare
    // `libonnxruntime.so` only when both exist (either loads the same code).
    found.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| b.cmp(a)));
    found.first().map(|n| capi.join(n))
}

/// Where `python3` imports `onnxruntime` from, if it can.
fn python_onnxruntime_dir() -> Option<PathBuf> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?;
    let dir = dir.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}
