//! `sopsim init`: write a commented scenario for a company's stage, check that it
//! loads, and say what to run next.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::cli::InitArgs;
use crate::error::Error;
use crate::format::{and_list, money, visible, visible_path};
use crate::gather::date::Date;
use crate::init;
use crate::message::Message;
use crate::month::YearMonth;
use crate::report;
use crate::scenario;

/// Whether `init` may write `path`: a new file in an existing folder, or with `force` an
/// existing file; a folder, a symbolic link and a path in a missing folder are refused.
pub fn out_check(path: &Path, force: bool) -> Result<(), Error> {
    let shown = visible_path(path);
    let refuse = |why: String, help: &str| {
        Err(Error::Input(
            Message::new(format!("{shown} {why}")).help(format!("{help}; nothing was written")).to_string(),
        ))
    };
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            refuse("is a symbolic link; sopsim writes a new file there".into(), "give the path of the file itself")
        }
        Ok(meta) if meta.is_dir() => {
            refuse("is a folder".into(), "give the path of the scenario file to write, e.g. plan.toml")
        }
        Ok(_) if !force => refuse("already exists".into(), "choose another name, or add --force to replace it"),
        Ok(_) => Ok(()),
        Err(_) => match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            Some(dir) if dir.exists() && !dir.is_dir() => refuse(
                format!("cannot be written: {} is not a folder", visible_path(dir)),
                "give a path in an existing folder",
            ),
            Some(dir) if !dir.exists() => refuse(
                format!("cannot be written: the folder {} does not exist", visible_path(dir)),
                "create the folder first, or give a path in an existing folder",
            ),
            _ => Ok(()),
        },
    }
}

/// Runs `sopsim init`.
pub fn main(args: &InitArgs) -> Result<(), Error> {
    let stage = args.stage.resolve();
    let start = args.start.or_else(next_month).ok_or_else(|| {
        let m = Message::new("the system clock is off the calendar").help("give the first month with --start YYYY-MM");
        Error::Input(m.to_string())
    })?;
    let text = init::scenario(stage, start).map_err(|e| Error::Input(format!("--start {start}: {e}")))?;
    let loaded = scenario::load_str(&text, &args.file.display().to_string(), &[]).map_err(|e| {
        Error::Run(format!(
            "the {} scenario does not load, which is a fault of sopsim init:\n{}",
            stage.name(),
            e.render()
        ))
    })?;
    out_check(&args.file, args.force)?;
    report::write_file(&args.file, text.as_bytes())?;

    let s = &loaded.scenario;
    let target = s.target.as_ref().map_or(String::new(), |t| {
        format!(", a target of {} ARR by {}", money(t.arr), s.start.offset(t.month as i64).short_label())
    });
    let roles: Vec<String> = s.roles.iter().map(|r| visible(&r.id).into_owned()).collect();
    let file = shell_word(&args.file);
    println!(
        "wrote {}: a {} plan to edit, {} months from {}: {} ARR at the start{target}; roles {}",
        visible_path(&args.file),
        stage.words(),
        s.months,
        s.start.short_label(),
        money(s.company.arr),
        and_list(&roles),
    );
    println!("  every value is a typical figure for the stage, with a comment saying what it means: make them yours");
    println!("next: sopsim run {file}");
    println!("then: sopsim serve {file}   (change the numbers on a page and watch the answer move)");
    Ok(())
}

/// The month after today's, by the system clock (UTC); `None` when the clock is off the
/// calendar a scenario may have.
fn next_month() -> Option<YearMonth> {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs() / 86_400;
    let (year, month, _) = Date(i32::try_from(days).ok()?).ymd();
    let next = YearMonth::new(year, month)?.offset(1);
    YearMonth::new(next.year(), next.month())
}

/// `path` as one word a shell reads back: as it is when it holds only letters, digits and
/// `_ . / - + , : @ %`, else in single quotes.
fn shell_word(path: &Path) -> String {
    let text = visible_path(path);
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./-+,:@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) { text } else { format!("'{}'", text.replace('\'', "'\\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_a_shell_when_they_need_it() {
        assert_eq!(shell_word(Path::new("plans/2027.toml")), "plans/2027.toml");
        assert_eq!(shell_word(Path::new("my plan.toml")), "'my plan.toml'");
        assert_eq!(shell_word(Path::new("it's.toml")), "'it'\\''s.toml'");
    }

    #[test]
    fn next_month_is_after_this_code_was_written() {
        let m = next_month().expect("the clock reads");
        assert!(m > YearMonth::new(2026, 11).unwrap(), "{m}");
    }
}
