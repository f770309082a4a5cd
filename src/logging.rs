//! podinit's own messages: `[LEVEL podinit (PID)] text` on stderr.
//!
//! The format is tini's (`[WARN  tini (7)] ...`) with podinit's name, so that
//! logs read the same after the swap; unlike tini, every level goes to
//! stderr, leaving stdout to the program. The verbosity scale is tini's.

use std::io::Write;

use log::LevelFilter;

/// tini's verbosity (0 = errors only, 1 = warnings, the default, 2 = info,
/// 3 = debug, 4 and up = trace) as a log filter. tini keeps it unsigned, so
/// `TINI_VERBOSITY=-1` means as much as there is.
pub fn level_for(verbosity: i32) -> LevelFilter {
    match verbosity {
        i32::MIN..=-1 => LevelFilter::Trace,
        0 => LevelFilter::Error,
        1 => LevelFilter::Warn,
        2 => LevelFilter::Info,
        3 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

/// Installs the logger; a second call changes nothing.
pub fn init(verbosity: i32) {
    let _ = env_logger::Builder::new()
        .filter_level(level_for(verbosity))
        .target(env_logger::Target::Stderr)
        .format(|buf, record| {
            writeln!(
                buf,
                "[{:<5} podinit ({})] {}",
                record.level(),
                crate::sys::getpid(),
                record.args()
            )
        })
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_follows_tinis_scale() {
        let cases = [
            (-3, LevelFilter::Trace),
            (0, LevelFilter::Error),
            (1, LevelFilter::Warn),
            (2, LevelFilter::Info),
            (3, LevelFilter::Debug),
            (4, LevelFilter::Trace),
            (40, LevelFilter::Trace),
        ];
        for (verbosity, want) in cases {
            assert_eq!(level_for(verbosity), want, "{verbosity}");
        }
    }
}
