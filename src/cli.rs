//! Command-line interface: flags (clap), dispatch, and the exit-code policy.
use crate::config;
use crate::error::{GateError, EXIT_ERROR};
use crate::output;
use crate::pipeline::{self, Run};
use crate::report::{self, Format};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "release-gate",
    version,
    about = "Decides, inside CI, whether a machine-learning model may ship."
)]
#[command(
    after_help = "Exit codes: 0 = GO, 1 = NO-GO (a blocking gate failed or was inconclusive, or the data contract was violated), 2 = error."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole gate: load, contract, split, train, evaluate, gates, artifacts.
    Check(CheckArgs),
    /// Load the data and check the data contract only (no training).
    Validate(ValidateArgs),
    /// Re-render a saved run without recomputing anything.
    Report(ReportArgs),
    /// Register the candidate of a GO run as the new champion (refuses a NO-GO run).
    Promote(PromoteArgs),
    /// Metric deltas between two runs: run dirs, `champion`, or registry versions like `v0002`.
    Compare(CompareArgs),
    /// Inspect the model registry.
    Registry(RegistryArgs),
    /// Score new rows with a saved model (a run dir, `champion` or a version like `v0002`).
    Predict(PredictArgs),
    /// Write a starter gates.toml and .github/workflows/release-gate.yml (never overwrites).
    Init(InitArgs),
    /// Print the JSON Schema of gates.toml (or, with --report, of report.json).
    Schema(SchemaArgs),
    /// Benchmark helper: load a data file and exit (what reading alone costs).
    #[command(hide = true)]
    ReadOnly {
        /// The CSV or Parquet file.
        #[arg(long, value_name = "FILE")]
        data: PathBuf,
        /// Only polars' parse into its own frame: no conversion, no checks.
        #[arg(long)]
        polars_only: bool,
    },
}

#[derive(Debug, Args)]
struct InitArgs {
    /// A CSV or Parquet file: guess the target, its positive value and protected columns from it.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Where to write gates.toml and .github/workflows/ (default: the current directory).
    #[arg(long, default_value = ".", value_name = "DIR")]
    dir: PathBuf,
    /// The GitHub Action the workflow uses.
    #[arg(long, default_value = crate::init::DEFAULT_ACTION, value_name = "OWNER/REPO@REF")]
    action: String,
}

#[derive(Debug, Args)]
struct PredictArgs {
    /// A run directory written by `check`, `champion`, or a registry version like `v0002`.
    #[arg(long, value_name = "MODEL")]
    model: String,
    /// The rows to score (CSV or Parquet, or a directory of part files); extra columns are ignored.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Where the CSV goes (default: stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Add one `contrib_<feature>` column per input feature and `contrib_base` (model output units).
    #[arg(long)]
    explain: bool,
    /// The registry for `champion` / `vNNNN` (default: `[registry] path` of ./gates.toml, else models/registry).
    #[arg(long, value_name = "DIR")]
    registry: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// The schema of report.json instead of gates.toml.
    #[arg(long)]
    report: bool,
}

/// Formats of `compare` and `registry list`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
struct PromoteArgs {
    /// A run directory written by `check`.
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
    /// The registry (default: `[registry] path` of the run's gates.toml).
    #[arg(long, value_name = "DIR")]
    registry: Option<PathBuf>,
    /// Promote even a NO-GO run (needs --reason; recorded in the history).
    #[arg(long, requires = "reason")]
    force: bool,
    /// Why the run is forced through (only with --force).
    #[arg(long, value_name = "TEXT", requires = "force")]
    reason: Option<String>,
}

#[derive(Debug, Args)]
struct RegistryLocation {
    /// The registry directory (default: `[registry] path` of --config).
    #[arg(long, value_name = "DIR")]
    registry: Option<PathBuf>,
    /// The gate configuration naming the registry.
    #[arg(long, default_value = "gates.toml", value_name = "FILE")]
    config: PathBuf,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// Baseline: a run dir, `champion`, or a version like `v0001`.
    a: String,
    /// Challenger: a run dir, `champion`, or a version like `v0002`.
    b: String,
    #[command(flatten)]
    location: RegistryLocation,
    /// Output format (Markdown is what a PR comment shows).
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Debug, Args)]
struct RegistryArgs {
    #[command(subcommand)]
    command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
enum RegistryCommand {
    /// Versions with date, verdict, gate metric, commit and forced flag; the champion marked.
    List {
        #[command(flatten)]
        location: RegistryLocation,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The gate configuration.
    #[arg(long, default_value = "gates.toml", value_name = "FILE")]
    config: PathBuf,
    /// Where the artifacts go (report.json, report.md, model_card.md, predictions.csv, model.json).
    #[arg(long, default_value = "release-gate-out", value_name = "DIR")]
    out: PathBuf,
    /// What to print on stdout: a gate table, or the report as JSON, Markdown, JUnit XML or HTML.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print only the verdict line.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print per-stage timings after the table.
    #[arg(short, long)]
    verbose: bool,
    /// Also write the gates as JUnit XML to FILE (one testcase per gate + the data contract).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// The gate configuration.
    #[arg(long, default_value = "gates.toml", value_name = "FILE")]
    config: PathBuf,
    /// Where report.json and report.md go.
    #[arg(long, default_value = "release-gate-out", value_name = "DIR")]
    out: PathBuf,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Print only the verdict line.
    #[arg(short, long)]
    quiet: bool,
    /// Also write the result as JUnit XML to FILE (the data contract as one testcase).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// A run directory written by `check` (holds report.json).
    #[arg(long, value_name = "DIR")]
    run: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Parses arguments, runs, prints an error once, returns the exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            diag!("error: {e:#}");
            if crate::ci::github_actions() {
                let at = e.downcast_ref::<GateError>().and_then(GateError::location);
                crate::ci::publish_error(&format!("{e:#}"), at, EXIT_ERROR);
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(a) => gate(
            &a.config,
            &a.out,
            a.format,
            a.quiet,
            a.verbose,
            true,
            a.junit.as_deref(),
        ),
        Command::Validate(a) => gate(
            &a.config,
            &a.out,
            a.format,
            a.quiet,
            false,
            false,
            a.junit.as_deref(),
        ),
        Command::Promote(a) => promote(&a),
        Command::Init(a) => init(&a),
        Command::Schema(a) => {
            let schema = if a.report {
                crate::domain::report::json_schema()
            } else {
                config::json_schema()
            };
            print_stdout(&format!("{}\n", serde_json::to_string_pretty(&schema)?))?;
            Ok(0)
        }
        Command::Compare(a) => compare(&a),
        Command::Predict(a) => predict(&a),
        Command::Registry(RegistryArgs {
            command: RegistryCommand::List { location, format },
        }) => {
            let index = crate::registry::read_index(&location.resolve()?)?;
            use report::registry_list as rl;
            print_stdout(&match format {
                ListFormat::Table => rl::render_table(&index),
                ListFormat::Json => rl::render_json(&index)?,
                ListFormat::Markdown => rl::render_markdown(&index),
            })?;
            Ok(0)
        }
        Command::ReadOnly { data, polars_only } => {
            let (rows, columns) = if polars_only {
                crate::data::parts::polars_read(&data)?
            } else {
                let t = crate::data::parts::load(&data)?.table;
                (t.n_rows, t.columns.len())
            };
            diag!("{rows} rows x {columns} columns");
            Ok(0)
        }
        Command::Report(a) => {
            let r = report::json::load(&a.run.join(output::REPORT_JSON))?;
            print_stdout(&report::render(
                &r,
                a.format,
                std::io::stdout().is_terminal(),
            )?)?;
            Ok(0)
        }
    }
}

fn gate(
    config: &Path,
    out: &Path,
    format: Format,
    quiet: bool,
    verbose: bool,
    full: bool,
    junit: Option<&Path>,
) -> anyhow::Result<u8> {
    let plan = config::load(config).map_err(anyhow::Error::from)?;
    crate::outdir::guard(out, &plan)?;
    if let Some(path) = junit {
        crate::outdir::guard_file(path, out, &plan)?;
    }
    let progress = crate::progress::Progress::new(quiet || format != Format::Table);
    let result: Result<Run, GateError> = if full {
        pipeline::check(&plan, &progress)
    } else {
        pipeline::validate(&plan, &progress)
    };
    progress.finish();
    let run = result?;
    // The report as written (with the time writing took), so stdout and
    // report.json agree to the byte.
    let (mut report, staged) = output::write_run(out, &plan, &run)?;
    pipeline::drop_aside(run);
    if let Some(path) = junit {
        report::junit::write(&staged.place(path), &report)?;
    }
    // MLflow and the notification see the staged run; a required MLflow
    // server that fails stops here, before the previous run is replaced.
    if full {
        crate::track::after_check(&plan, staged.path(), &mut report)?;
    }
    // Only a complete run replaces the previous one.
    staged.commit()?;
    let r = &report;
    if crate::ci::github_actions() {
        crate::ci::publish(r, &plan, out);
    }
    if quiet && format == Format::Json {
        // Machine output stays machine-readable: the report alone.
        print_stdout(&report::render(r, format, false)?)?;
    } else if quiet {
        print_stdout(&format!("{}\n", report::table::verdict_line(r)))?;
    } else {
        print_stdout(&report::render(r, format, std::io::stdout().is_terminal())?)?;
        if verbose {
            for (stage, ms) in &r.timings_ms {
                diag!("  {stage:<12} {ms:>10.1} ms");
            }
        }
        if format == Format::Table {
            diag!("artifacts: {}", out.display());
        }
    }
    Ok(r.exit_code)
}

impl RegistryLocation {
    /// `--registry`, else `[registry] path` of `--config`.
    fn resolve(&self) -> anyhow::Result<PathBuf> {
        match &self.registry {
            Some(r) => Ok(r.clone()),
            None => Ok(config::load(&self.config)?.registry),
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error. A line that
/// would start with `::` (a GitHub workflow command, e.g. from a gate name
/// or a column name holding a newline) is indented: stdout never carries
/// one; `ci` writes the real ones, escaped, to stderr.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let safe;
    let text = if text.starts_with("::") || text.contains("\n::") {
        safe = text
            .split_inclusive('\n')
            .map(|l| {
                if l.starts_with("::") {
                    format!(" {l}")
                } else {
                    l.to_string()
                }
            })
            .collect::<String>();
        safe.as_str()
    } else {
        text
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn init(a: &InitArgs) -> anyhow::Result<u8> {
    let done = crate::init::init(&a.dir, a.data.as_deref(), &a.action)?;
    for f in &done.files {
        print_stdout(&format!("wrote {}\n", f.display()))?;
    }
    for f in &done.kept {
        print_stdout(&format!(
            "kept {} (already exists; never overwritten)\n",
            f.display()
        ))?;
    }
    if let Some(g) = &done.guess {
        print_stdout(&format!(
            "guessed: target {:?} (positive {:?}), protected {:?}, drop {:?}\n",
            g.target, g.positive, g.protected, g.drop
        ))?;
    }
    print_stdout("next: review gates.toml, then `release-gate check`\n")?;
    Ok(0)
}

fn promote(a: &PromoteArgs) -> anyhow::Result<u8> {
    let done =
        crate::promote::promote(&a.run, a.registry.as_deref(), a.force, a.reason.as_deref())?;
    if done.version.is_some() {
        print_stdout(&format!("{}\n", done.message))?;
    } else {
        diag!("{}", done.message);
    }
    Ok(done.exit_code)
}

fn predict(a: &PredictArgs) -> anyhow::Result<u8> {
    let config = Path::new("gates.toml");
    let registry = match &a.registry {
        Some(r) => r.clone(),
        None if config.is_file() => config::load(config)?.registry,
        None => PathBuf::from("models/registry"),
    };
    let path = crate::predict::resolve_model(&a.model, &registry)?;
    if let Some(out) = &a.out {
        let inputs = crate::outdir::PredictInputs {
            data: &a.data,
            model_dir: path.parent().unwrap_or(Path::new(".")),
            registry: &registry,
            config: config.is_file().then_some(config),
        };
        crate::outdir::guard_predictions(out, &inputs)?;
    }
    let model = crate::predict::load(&path)?;
    let mut data = crate::data::parts::load_as(&a.data, &crate::predict::text_columns(&model))?;
    for twins in crate::predict::spell_like_model(&model, &mut data.table) {
        diag!("warning: {twins}");
    }
    crate::predict::check_columns(&model, &data.table)?;
    let empty = crate::predict::empty_columns(&model, &data.table);
    if !empty.is_empty() {
        diag!(
            "warning: {} feature column{} empty in every row: {}; the model scores {} as \
             a missing value on every row (as in training: the median, or the missing \
             category), so the scores rest on the other features",
            empty.len(),
            if empty.len() == 1 { " is" } else { "s are" },
            empty
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            if empty.len() == 1 { "it" } else { "them" },
        );
    }
    if let Some(why) = crate::predict::unfamiliar(&model, &data.table) {
        diag!(
            "warning: these rows are not data like the model's training rows: {why}; it \
             scores them anyway (a category it never saw as none of its known ones, a number \
             as it is), so the scores may not mean what they meant in training"
        );
    }
    match &a.out {
        Some(out) => crate::atomic::write_streamed(out, |w| {
            crate::predict::write(&model, &data.table, a.explain, w)
        })?,
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            crate::predict::write(&model, &data.table, a.explain, &mut w)?;
        }
    }
    Ok(0)
}

fn compare(a: &CompareArgs) -> anyhow::Result<u8> {
    use report::compare as c;
    // The registry is only needed for `champion` / `vNNNN` operands.
    // Without a readable --config here (a CI job comparing downloaded run
    // dirs), the registry named by a run operand's own config copy.
    let registry = a.location.resolve().unwrap_or_else(|_| {
        [&a.a, &a.b]
            .into_iter()
            .find_map(|op| {
                let dir = Path::new(op);
                let r = crate::promote::load_run(dir).ok()?;
                crate::promote::run_registry(dir, &r).ok()
            })
            .unwrap_or_else(|| PathBuf::from("models/registry"))
    });
    let (la, ra) = crate::promote::resolve_operand(&a.a, &registry)?;
    let (lb, rb) = crate::promote::resolve_operand(&a.b, &registry)?;
    // Scores for different targets or positive classes are not comparable.
    if ra.data.target != rb.data.target
        || !crate::domain::is_positive_text(&ra.data.positive, &rb.data.positive)
    {
        return Err(GateError::Run(format!(
            "refusing to compare different tasks: {la} predicts {:?} = {:?}, {lb} predicts {:?} = {:?}",
            ra.data.target, ra.data.positive, rb.data.target, rb.data.positive
        ))
        .into());
    }
    let cmp = c::build(&la, &ra, &lb, &rb);
    print_stdout(&match a.format {
        ListFormat::Table => c::render_table(&cmp),
        ListFormat::Json => c::render_json(&cmp)?,
        ListFormat::Markdown => c::render_markdown(&cmp),
    })?;
    Ok(0)
}
