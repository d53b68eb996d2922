//! Command-line arguments, parsed by clap and resolved into what the library needs.
//!
//! clap types stop here: `run` and `validate` receive a loaded scenario and a
//! [`RunConfig`](crate::runner::RunConfig), never raw flags.

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::message::Message;
use crate::month::YearMonth;
use crate::numbers::{count, money, probability};
use crate::report::Formats;

use crate::shard::Shard;

/// The first lines of `sopsim --help`: the three commands a newcomer needs first.
const START_HERE: &str = "\
Start here:
  sopsim init plan.toml     write a commented scenario to edit (--stage seed|scale-up|enterprise)
  sopsim run plan.toml      simulate it: the chance of reaching the target, P10/P50/P90, hires, report
  sopsim serve plan.toml    change its numbers on a page in the browser and watch the answer move";

/// A sales & operations planning simulator: hiring needs, coverage and forecast spread
/// of a B2B sales organisation, by Monte Carlo.
#[derive(Debug, Parser)]
#[command(name = "sopsim", version, about, long_about = None, before_help = START_HERE)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented scenario to edit, with typical figures for a company's stage.
    Init(InitArgs),
    /// Simulate a scenario and write monthly.csv, summary.json, charts, report.html and report.xlsx.
    #[command(
        mut_arg("trials", |a| a.help("Number of trials (default: the scenario's `trials`, else 10,000); 10000, \
                                      10,000, 10_000, 1e4 and 10K are the same")),
        mut_arg("seed", |a| a.help("Seed (default: the scenario's `seed`, else 1)")),
        mut_arg("out", |a| a.help("Output folder (default: output/<file stem>)")),
        mut_arg("force", |a| a.help("Write into an existing output folder that holds files sopsim did not write, \
                                     replacing only files of the names sopsim writes and leaving the others \
                                     (without it such a folder is refused); with --partial, replace a file that \
                                     is not a partial file. Never replaces a folder by a file, nor writes \
                                     through a link")),
    )]
    Run(RunArgs),
    /// Check a scenario file and report every problem; simulate nothing.
    Validate(ValidateArgs),
    /// Merge the partial files of every shard of a run into the outputs of the whole run.
    Merge(MergeArgs),
    /// Find the smallest hiring schedule that reaches the target with the confidence asked.
    Plan(PlanArgs),
    /// Run a scenario at every value (or pair of values) of one or two keys and write sweep.csv and charts.
    Sweep(SweepArgs),
    /// Run two or more scenarios on the same trials and report them side by side, with paired differences.
    Compare(CompareArgs),
    /// Fit a ready-to-run scenario from a CRM opportunity export (CSV or XLSX).
    Gather(GatherArgs),
    /// Test gathered forecasts against what happened: gather at a cutoff, simulate, compare.
    Backtest(BacktestArgs),
    /// Rank the uncertain inputs by their influence on ARR: a tornado chart and a per-quarter view.
    #[command(after_help = "--trials is the base run's, for the rank correlations (default: the scenario's \
                            trials); each input is then fixed at its P10 and at its P90 for --swing-trials trials.")]
    Sensitivity(SensitivityArgs),
    /// Serve a workshop page on this machine: the scenario's levers, re-run live, with a
    /// baseline, paired differences, saved variants and the report.
    Serve(ServeArgs),
}

/// Overrides shared by every command.
#[derive(Debug, Args)]
pub struct Overrides {
    /// Override a scenario key, e.g. --set segments.mid-market.win_rate=0.18 (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
    /// The months that already happened, as CSV: a header `month` and any of `arr`,
    /// `bookings`, `headcount.<role>`, a row per month from the start (replaces the
    /// scenario's [[actuals]]). The run goes on from the real state of the last month.
    #[arg(long, value_name = "FILE.csv")]
    pub actuals: Option<PathBuf>,
}

/// `sopsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Trials, seed, threads, output folder and key overrides.
    #[command(flatten)]
    pub common: Common,
    /// Run only shard K of N: the K-th of N contiguous ranges of trial indexes (1 <= K <= N),
    /// each trial drawing what it draws in the whole run; needs --partial.
    #[arg(long, value_name = "K/N", requires = "partial", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Write the run's (or shard's) partial aggregates to FILE instead of the outputs;
    /// `sopsim merge` turns the parts of all shards into the outputs of the whole run.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "actuals"])]
    pub partial: Option<PathBuf>,
    /// Files to write, comma-separated (default: all).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FORMAT,...")]
    pub format: Vec<Format>,
}

/// The options of every command that simulates a scenario (run, plan, sweep, compare,
/// sensitivity): trials, seed, threads, where the outputs go, and key overrides. Their
/// help is the what-if commands'; `run` words its own (see [`Command::Run`]).
#[derive(Debug, Args)]
pub struct Common {
    /// Trials per evaluation (default: depends on the command, see its help); 10000,
    /// 10,000, `10_000`, 1e4 and 10K are the same.
    #[arg(long, value_parser = count::<u64>(1, crate::scenario::MAX_TRIALS))]
    pub trials: Option<u64>,
    /// Seed (default: the scenario's `seed`, else 1); every evaluation uses the same trials.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<file stem>-<command>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write into an existing output folder that holds files sopsim did not write,
    /// replacing only files of the names sopsim writes and leaving the others (without
    /// it such a folder is refused); never replaces a file or a symbolic link.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: one per core); results do not depend on it.
    #[arg(long, value_parser = count::<u16>(1, 1024))]
    pub threads: Option<u16>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    /// Key overrides.
    #[command(flatten)]
    pub overrides: Overrides,
}

/// `sopsim plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Role to plan hires for (repeatable; default: every closer role). The schedule
    /// replaces the role's planned hires from the first month a new requisition can fill.
    #[arg(long = "role", value_name = "ID")]
    pub roles: Vec<String>,
    /// ARR to reach (default: the scenario's target.arr): 8000000, 8,000,000, 8e6, 8M,
    /// 5.5M, 750K, 1.2B, or '$8M' (quoted, as a shell reads `$8` as a variable).
    #[arg(long, value_name = "DOLLARS", value_parser = money)]
    pub target_arr: Option<f64>,
    /// Month by which to reach it, YYYY-MM (default: the scenario's target month).
    #[arg(long, value_name = "YYYY-MM")]
    pub by: Option<String>,
    /// Probability of reaching the target the schedule must give (default: the
    /// scenario's target.confidence, else 0.8): 0.8 or 80%.
    #[arg(long, value_name = "P", value_parser = probability)]
    pub confidence: Option<f64>,
    /// Most hires starting in one month, per role (default: the role's
    /// `max_hires_per_month`, else 3).
    #[arg(long, value_name = "N", value_parser = count::<u32>(1, 1000))]
    pub max_per_month: Option<u32>,
    /// Trials per candidate schedule in the search (default: 2,000); the schedule found
    /// is then verified on --trials fresh trials (default: the scenario's trials).
    #[arg(long, value_name = "N", value_parser = count::<u64>(100, crate::scenario::MAX_TRIALS))]
    pub search_trials: Option<u64>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// `sopsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// A key and its values, once or twice: `KEY=V1,V2,...` (each value read as TOML, as
    /// with --set) or `KEY=FROM..TO step S` (TO included when it lands on a step; at most
    /// 200 values). Trials per point default to the scenario's trials, at most 2,000.
    #[arg(long = "vary", value_name = "KEY=V1,V2,...", required = true)]
    pub vary: Vec<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// `sopsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenario files (TOML), two or more; differences are to the first. Trials and
    /// seed default to the first scenario's.
    #[arg(required = true, num_args = 2.., value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Shared options.
    #[command(flatten)]
    pub common: Common,
}

/// `sopsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Trials of each run with one input fixed at its P10 or P90: the first trials of
    /// the base run, at most --trials (default: 2,000).
    #[arg(long, value_name = "N", value_parser = count::<u64>(2, crate::scenario::MAX_TRIALS))]
    pub swing_trials: Option<u64>,
    /// Shared options; --trials is the base run's (default: the scenario's trials).
    #[command(flatten)]
    pub common: Common,
}

/// How to read an opportunity export (`gather`, `backtest`).
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The opportunity export: CSV with a header row, or XLSX (the headers of this data
    /// set, Salesforce, HubSpot, Pipedrive, Zoho CRM and Dynamics 365 are recognised).
    pub export: PathBuf,
    /// Name a column's role: id, owner, stage, created, close, amount or segment, e.g.
    /// --map "Closing Date=close" (repeatable).
    #[arg(long = "map", value_name = "COLUMN=ROLE")]
    pub maps: Vec<String>,
    /// A stage that means won, besides Won and Closed Won (repeatable).
    #[arg(long = "won", value_name = "WORD")]
    pub won: Vec<String>,
    /// A stage that means lost, besides Lost and Closed Lost (repeatable).
    #[arg(long = "lost", value_name = "WORD")]
    pub lost: Vec<String>,
    /// A stage that means open, besides the CRMs' default open stages (repeatable).
    #[arg(long = "open", value_name = "WORD")]
    pub open: Vec<String>,
    /// The column whose values are the segments (default: one segment, `all`).
    #[arg(long, value_name = "COLUMN")]
    pub segment_by: Option<String>,
    /// The order of day and month in dates written with the year last: DMY (13/2/2017),
    /// MDY (2/13/2017) or YMD (default: told by the data, or refused when it cannot be).
    #[arg(long, value_name = "DMY|MDY|YMD")]
    pub date_format: Option<String>,
    /// The sheet of an XLSX export (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// The month the company's fiscal year starts in, 1 to 12 (2: February, quarters
    /// Feb-Apr, May-Jul, ...): the quarter timing and the cycles by month of the quarter
    /// are measured on its quarters, and the scenario's `fiscal_year_start` is set to it
    /// (default: 1, calendar quarters, with `fiscal_year_start` marked SET).
    #[arg(long, value_name = "MONTH", value_parser = fiscal_month)]
    pub fiscal_year_start: Option<u32>,
}

/// `sopsim backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The export and how to read it.
    #[command(flatten)]
    pub export: ExportArgs,
    /// Gather from what was known on this date and simulate the months after it
    /// (repeatable: each cutoff is tested on its own). A month's last day is best.
    #[arg(long = "cutoff", value_name = "YYYY-MM-DD", required_unless_present = "rolling")]
    pub cutoffs: Vec<String>,
    /// A cutoff at every month end from the third whole month with closed deals to the
    /// last one followed by --months whole months to the as-of date.
    #[arg(long, conflicts_with = "cutoffs")]
    pub rolling: bool,
    /// What the export knows: nothing after this date is scored (default: the last
    /// date something happened, as `gather` takes it).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Months simulated after each cutoff, at most (fewer where the export ends).
    #[arg(long, default_value_t = 6, value_parser = count::<u64>(1, crate::scenario::MAX_MONTHS))]
    pub months: u64,
    /// Trials per cutoff.
    #[arg(long, default_value_t = 2000, value_parser = count::<u64>(2, 1_000_000))]
    pub trials: u64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (default: output/<export stem>-backtest).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write into an existing output folder that holds files sopsim did not write
    /// (replacing only files of the names sopsim writes).
    #[arg(long)]
    pub force: bool,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `sopsim gather`.
#[derive(Debug, Args)]
pub struct GatherArgs {
    /// The export and how to read it.
    #[command(flatten)]
    pub export: ExportArgs,
    /// Use only what was known on this date: deals closed after it are open at it
    /// (default: the last date something happened, the report's own date if it has one).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Months the scenario simulates, from the month after the as-of date.
    #[arg(long, default_value_t = 12, value_parser = count::<u64>(1, crate::scenario::MAX_MONTHS))]
    pub months: u64,
    /// Write the scenario to FILE (default: standard output).
    #[arg(long, value_name = "FILE.toml")]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file that `sopsim gather` did not write.
    #[arg(long)]
    pub force: bool,
    /// Print no warnings or summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `sopsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files of every shard of one run (`sopsim run --shard K/N --partial FILE`).
    #[arg(required = true, value_name = "PARTS")]
    pub parts: Vec<PathBuf>,
    /// Output folder (default: output/<scenario file stem>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write into an existing output folder that holds files sopsim did not write,
    /// replacing only files of the names sopsim writes and leaving the others (without
    /// it such a folder is refused); never replaces a file or a symbolic link.
    #[arg(long)]
    pub force: bool,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A kind of output file, for `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// monthly.csv
    Csv,
    /// summary.json
    Json,
    /// report.html (charts inline)
    Html,
    /// report.xlsx
    Xlsx,
    /// every chart as .svg
    Svg,
    /// every chart as .png
    Png,
    /// every chart as .svg and .png
    Charts,
    /// all of the above (the default)
    All,
}

impl RunArgs {
    /// The files to write: those named by `--format`, or all of them.
    pub fn formats(&self) -> Formats {
        if self.format.is_empty() {
            return Formats::ALL;
        }
        let mut f = Formats::NONE;
        for format in &self.format {
            match format {
                Format::Csv => f.csv = true,
                Format::Json => f.json = true,
                Format::Html => f.html = true,
                Format::Xlsx => f.xlsx = true,
                Format::Svg => f.svg = true,
                Format::Png => f.png = true,
                Format::Charts => (f.svg, f.png) = (true, true),
                Format::All => f = Formats::ALL,
            }
        }
        f
    }
}

/// `sopsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The scenario file to write (TOML), e.g. plan.toml; its folder must exist.
    pub file: PathBuf,
    /// The company's stage, which sets every figure.
    #[arg(long, value_enum, default_value_t = Stage::ScaleUp)]
    pub stage: Stage,
    /// The first month to simulate, YYYY-MM (default: next month); the target's month and
    /// the planned hires move with it.
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub start: Option<YearMonth>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// A company's stage, for `init --stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// Under $1M ARR: founders selling with their first AEs and an SDR.
    Seed,
    /// $1M to $10M ARR: mid-market and SMB teams, SDRs, CSMs, a manager.
    ScaleUp,
    /// $10M ARR and above: enterprise and mid-market teams, SDRs, CSMs, managers.
    Enterprise,
}

impl Stage {
    /// The library's stage.
    pub fn resolve(self) -> crate::init::Stage {
        match self {
            Stage::Seed => crate::init::Stage::Seed,
            Stage::ScaleUp => crate::init::Stage::ScaleUp,
            Stage::Enterprise => crate::init::Stage::Enterprise,
        }
    }
}

/// A flag's value that does not read (numbers aside: [`crate::numbers::Error`]).
/// `Display` is the message clap prints after the flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadValue {
    /// Not a month written YYYY-MM.
    Month,
    /// Not a host name for `--allow-host`.
    HostName,
    /// Not a month's number from 1 to 12 (`--fiscal-year-start`); the number of the
    /// month it names, if it is a month's name.
    MonthNumber(Option<u32>),
}

impl BadValue {
    /// What the value should have been.
    pub fn message(self) -> Message {
        match self {
            BadValue::Month => Message::new("expected a month written YYYY-MM from 1900-01 to 2999-12, e.g. 2027-01"),
            BadValue::HostName => Message::new(
                "not a host name: give the name alone, as in workshop.example.com (no scheme, port or path)",
            ),
            BadValue::MonthNumber(Some(n)) => Message::new(format!(
                "a month is given by its number, from 1 (January) to 12 (December): did you mean {n}?"
            )),
            BadValue::MonthNumber(None) => Message::new(
                "expected the month's number, from 1 (January) to 12 (December), e.g. 2 for a fiscal year from \
                 February",
            ),
        }
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for BadValue {}

/// A month on the command line, written YYYY-MM.
fn month(s: &str) -> Result<YearMonth, BadValue> {
    YearMonth::parse(s).ok_or(BadValue::Month)
}

/// The months' English names, January first.
const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The first month of a fiscal year on the command line: its number, 1 to 12, read as
/// any count is; a month's name (three letters or more, `feb`, `February`) is refused
/// with its number.
fn fiscal_month(s: &str) -> Result<u32, BadValue> {
    count::<u32>(1, 12)(s).map_err(|_| {
        let name = s.trim().trim_end_matches('.').to_lowercase();
        let named =
            (name.chars().count() >= 3).then(|| MONTH_NAMES.iter().position(|m| m.starts_with(&name))).flatten();
        BadValue::MonthNumber(named.map(|i| i as u32 + 1))
    })
}

/// `sopsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Key overrides.
    #[command(flatten)]
    pub overrides: Overrides,
}

/// `sopsim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The scenario file (TOML); read once, never written.
    pub file: PathBuf,
    /// Port to listen on.
    #[arg(long, default_value_t = 8470)]
    pub port: u16,
    /// Address to listen on (default: 127.0.0.1, this machine only; any other address
    /// lets other machines reach the page, and a warning says so).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Also answer requests addressed to NAME (repeatable), for a page served through a
    /// name on purpose; without it only 127.0.0.1, localhost, `[::1]` and the --bind
    /// address are answered, which keeps other sites' pages out (DNS rebinding). A
    /// warning says that it weakens that.
    #[arg(long = "allow-host", value_name = "NAME", value_parser = host_name)]
    pub allow_host: Vec<String>,
    /// Try to open the page in a browser.
    #[arg(long)]
    pub open: bool,
    /// Worker threads of the runs (default: one per core); results do not depend on it.
    #[arg(long, value_parser = count::<u16>(1, 1024))]
    pub threads: Option<u16>,
}

/// A host name for `--allow-host`: letters, digits, `-` and `.`, as in a URL, without
/// a scheme, port or path; or an IP address.
fn host_name(s: &str) -> Result<String, BadValue> {
    let bare = s.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(s);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Ok(s.to_string());
    }
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if s.len() <= 253 && s.split('.').all(label) { Ok(s.to_string()) } else { Err(BadValue::HostName) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(args: &[&str]) -> Result<PlanArgs, clap::Error> {
        let cli = Cli::try_parse_from(["sopsim", "plan", "s.toml"].iter().chain(args))?;
        match cli.command {
            Command::Plan(p) => Ok(p),
            other => panic!("not plan: {other:?}"),
        }
    }

    #[test]
    fn money_counts_and_probabilities_read_as_sopsim_writes_them() {
        let p = plan(&["--target-arr", "5.5M", "--confidence", "80%", "--trials", "10,000", "--search-trials", "1e3"])
            .unwrap();
        assert_eq!(p.target_arr, Some(5_500_000.0));
        assert_eq!(p.confidence, Some(0.8));
        assert_eq!(p.common.trials, Some(10_000));
        assert_eq!(p.search_trials, Some(1_000));
        for (arr, want) in [("$8M", 8e6), ("8m", 8e6), ("750K", 750e3), ("1.2B", 1.2e9), ("8_000_000", 8e6)] {
            assert_eq!(plan(&["--target-arr", arr]).unwrap().target_arr, Some(want), "{arr}");
        }
        assert_eq!(plan(&["--max-per-month", "1e1", "--threads", "2"]).unwrap().max_per_month, Some(10));
    }

    #[test]
    fn a_bad_number_is_a_usage_error_that_says_the_forms_that_read() {
        let e = plan(&["--confidence", "80"]).unwrap_err().to_string();
        assert!(e.contains("did you mean 0.8 (80%)?"), "{e}");
        let e = plan(&["--target-arr", "eight million"]).unwrap_err().to_string();
        assert!(e.contains("write it as 8000000, 8,000,000, 8_000_000, 8e6, 8M, $8M, 750K or 1.2B"), "{e}");
        let e = plan(&["--trials", "2.5"]).unwrap_err().to_string();
        assert!(e.contains("is not a whole number"), "{e}");
        assert_eq!(plan(&["--trials", "0"]).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn a_fiscal_year_starts_in_a_months_number_and_a_months_name_is_answered_with_it() {
        assert_eq!(fiscal_month("2"), Ok(2));
        assert_eq!(fiscal_month("12"), Ok(12));
        assert_eq!(fiscal_month("1"), Ok(1));
        for bad in ["0", "13", "-1", "1.5", "", "fe", "Fiscal"] {
            assert_eq!(fiscal_month(bad), Err(BadValue::MonthNumber(None)), "{bad}");
        }
        for (name, n) in [("feb", 2), ("February", 2), ("Sept.", 9), ("sep", 9), ("DEC", 12), ("jan", 1)] {
            assert_eq!(fiscal_month(name), Err(BadValue::MonthNumber(Some(n))), "{name}");
        }
        let e = Cli::try_parse_from(["sopsim", "gather", "x.csv", "--fiscal-year-start", "feb"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = e.to_string();
        assert!(e.contains("--fiscal-year-start") && e.contains("12 (December): did you mean 2?"), "{e}");
        let cli =
            Cli::try_parse_from(["sopsim", "backtest", "x.csv", "--rolling", "--fiscal-year-start", "2"]).unwrap();
        let Command::Backtest(b) = cli.command else { panic!("not backtest") };
        assert_eq!(b.export.fiscal_year_start, Some(2));
    }
}
