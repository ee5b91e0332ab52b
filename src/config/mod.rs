//! The optional configuration file: default log paths, colours, key
//! bindings, alert thresholds and retention policies.
//!
//! It lives at `$XDG_CONFIG_HOME/auditui/config.toml` (or
//! `~/.config/auditui/config.toml`), or wherever `--config` points. A bad
//! file never stops auditui: the caller gets the defaults and a message that
//! names the line and the key, to show the user.

pub mod keys;

use crate::time::parse_duration;
use crate::views::retention::Policies;
use keys::{ACTIONS, Key};
use ratatui::style::Color;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The commented default file that `auditui config --print-default` prints.
/// A test checks that it parses to [`Config::default`].
pub const DEFAULT_TOML: &str = include_str!("default.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Logs the browser opens when no PATH is given.
    pub paths: Vec<PathBuf>,
    pub colors: Colors,
    /// Action name → the keys that replace its default keys.
    #[serde(deserialize_with = "key_overrides")]
    pub keys: BTreeMap<String, Vec<Key>>,
    pub alerts: AlertSettings,
    pub retention: RetentionSettings,
    pub verify: VerifySettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            paths: vec![PathBuf::from("sample-logs")],
            colors: Colors::default(),
            keys: BTreeMap::new(),
            alerts: AlertSettings::default(),
            retention: RetentionSettings::default(),
            verify: VerifySettings::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerifySettings {
    /// Longest line read as an entry; `None`: as long as memory allows.
    #[serde(deserialize_with = "size_or_unlimited")]
    pub max_entry_bytes: Option<usize>,
    /// How often a followed log is verified again in full; `None`: never.
    #[serde(deserialize_with = "interval_or_off")]
    pub reverify_every: Option<std::time::Duration>,
}

impl Default for VerifySettings {
    fn default() -> Self {
        VerifySettings {
            max_entry_bytes: None,
            reverify_every: Some(std::time::Duration::from_secs(600)),
        }
    }
}

fn interval_or_off<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::time::Duration>, D::Error> {
    let text = String::deserialize(d)?;
    crate::log::reverify::parse_every(&text).map_err(serde::de::Error::custom)
}

/// A size in bytes: `1048576`, `512KiB`, `64MiB`, `2GiB` (K, M and G alone
/// mean the same powers of 1024).
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let shift = match unit.trim() {
        "" | "B" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        _ => return None,
    };
    number.parse::<usize>().ok()?.checked_mul(1 << shift)
}

fn size_or_unlimited<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let text = String::deserialize(d)?;
    if text == "unlimited" {
        return Ok(None);
    }
    parse_size(&text).filter(|&n| n > 0).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{text:?} is not a size: use \"unlimited\" or bytes like 1048576, 512KiB, 64MiB, 2GiB"
        ))
    })
}

/// Colours of the browser's states. Each state is also shown in words, so
/// `enabled = false` (like `NO_COLOR`) loses nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Colors {
    pub enabled: bool,
    #[serde(deserialize_with = "color")]
    pub intact: Color,
    #[serde(deserialize_with = "color")]
    pub broken: Color,
    #[serde(deserialize_with = "color")]
    pub weak: Color,
    #[serde(deserialize_with = "color")]
    pub failed: Color,
    #[serde(deserialize_with = "color")]
    pub alarm: Color,
    #[serde(deserialize_with = "color")]
    pub accent: Color,
    #[serde(deserialize_with = "color")]
    pub header: Color,
}

impl Default for Colors {
    fn default() -> Self {
        Colors {
            enabled: true,
            intact: Color::Green,
            broken: Color::Red,
            weak: Color::Yellow,
            failed: Color::Red,
            alarm: Color::Magenta,
            accent: Color::Cyan,
            header: Color::Yellow,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Accesses to one patient by one user within `window` that make a burst.
    #[serde(deserialize_with = "at_least_one")]
    pub threshold: u32,
    /// Microseconds.
    #[serde(deserialize_with = "duration")]
    pub window: i64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            threshold: 10,
            window: 3_600_000_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSettings {
    /// How close to its end a retention period counts as due (microseconds).
    #[serde(deserialize_with = "duration")]
    pub due_within: i64,
    #[serde(deserialize_with = "policies")]
    pub policies: Policies,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            due_within: 30 * 86_400_000_000,
            policies: Policies::default(),
        }
    }
}

/// A configuration and what went wrong reading it, if anything.
pub struct LoadedConfig {
    pub config: Config,
    /// Shown to the user; the defaults are in use when this is set.
    pub problem: Option<String>,
}

impl Config {
    /// Parse a configuration; the error names the line, column and key.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
    }

    /// Read `explicit` (from `--config`), else the file in the usual place
    /// if there is one. Never fails: problems come back with the defaults.
    pub fn load(explicit: Option<&Path>) -> LoadedConfig {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None => match default_path() {
                Some(path) if path.is_file() => path,
                _ => return LoadedConfig::defaults(None),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                return LoadedConfig::defaults(Some(format!(
                    "cannot read config {}: {e}; using the defaults",
                    path.display()
                )));
            }
        };
        match Config::parse(&text) {
            Ok(config) => LoadedConfig {
                config,
                problem: None,
            },
            Err(e) => LoadedConfig::defaults(Some(format!(
                "config {}: {e}\n(using the defaults)",
                path.display()
            ))),
        }
    }
}

impl Default for LoadedConfig {
    fn default() -> Self {
        LoadedConfig::defaults(None)
    }
}

impl LoadedConfig {
    fn defaults(problem: Option<String>) -> LoadedConfig {
        LoadedConfig {
            config: Config::default(),
            problem,
        }
    }
}

/// `$XDG_CONFIG_HOME/auditui/config.toml`, else `~/.config/auditui/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("auditui").join("config.toml"))
}

fn color<'de, D: Deserializer<'de>>(d: D) -> Result<Color, D::Error> {
    let text = String::deserialize(d)?;
    Color::from_str(&text).map_err(|_| {
        serde::de::Error::custom(format!(
            "unknown colour {text:?}: use a name (red, lightblue, darkgray…), a number 0-255 or #rrggbb"
        ))
    })
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{text:?} is not a duration: use 90s, 15m, 1h30m, 30d or 2w"
        ))
    })
}

fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    match u32::deserialize(d)? {
        0 => Err(serde::de::Error::custom("must be at least 1")),
        n => Ok(n),
    }
}

fn policies<'de, D: Deserializer<'de>>(d: D) -> Result<Policies, D::Error> {
    let policies = Policies(Vec::deserialize(d)?);
    if !policies.0.iter().any(|p| p.tools.is_none()) {
        return Err(serde::de::Error::custom(
            "no catch-all policy: one policy needs no `tools` list, for every other tool",
        ));
    }
    Ok(policies)
}

/// An action name that `[keys]` may bind; checked while parsing so that
/// the error points at the line.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct ActionName(String);

impl<'de> Deserialize<'de> for ActionName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if ACTIONS.contains(&name.as_str()) {
            Ok(ActionName(name))
        } else {
            Err(serde::de::Error::custom(format!(
                "unknown action {name:?} in [keys]; actions: {}",
                ACTIONS.join(", ")
            )))
        }
    }
}

/// One key (`"q"`) or several (`["q", "ctrl-q"]`).
struct KeyList(Vec<Key>);

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let names = match OneOrMany::deserialize(d)? {
            OneOrMany::One(name) => vec![name],
            OneOrMany::Many(names) => names,
        };
        if names.is_empty() {
            return Err(serde::de::Error::custom("give at least one key"));
        }
        names
            .iter()
            .map(|name| Key::parse(name).map_err(serde::de::Error::custom))
            .collect::<Result<_, _>>()
            .map(KeyList)
    }
}

fn key_overrides<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Vec<Key>>, D::Error> {
    let raw = BTreeMap::<ActionName, KeyList>::deserialize(d)?;
    Ok(raw
        .into_iter()
        .map(|(name, keys)| (name.0, keys.0))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_default_is_the_default() {
        assert_eq!(Config::parse(DEFAULT_TOML).unwrap(), Config::default());
    }

    #[test]
    fn an_empty_file_is_the_default() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn values_override_the_defaults() {
        let config = Config::parse(
            "paths = [\"/var/log/audit\"]\n\
             [alerts]\nthreshold = 3\nwindow = \"15m\"\n\
             [colors]\nenabled = false\nbroken = \"#ff8800\"\n\
             [keys]\nquit = [\"x\", \"ctrl-q\"]\nopen_filter = \"f\"\n\
             [retention]\ndue_within = \"2w\"\n\
             [[retention.policies]]\nname = \"clinical\"\nretention_days = 3650\ntools = [\"access_patient_record\"]\n\
             [[retention.policies]]\nname = \"rest\"\nretention_days = 90\n",
        )
        .unwrap();
        assert_eq!(config.paths, [PathBuf::from("/var/log/audit")]);
        assert_eq!(config.alerts.threshold, 3);
        assert_eq!(config.alerts.window, 15 * 60_000_000);
        assert!(!config.colors.enabled);
        assert_eq!(config.colors.broken, Color::Rgb(0xff, 0x88, 0));
        assert_eq!(config.keys["quit"].len(), 2);
        assert_eq!(config.retention.due_within, 14 * 86_400_000_000);
        let p = &config.retention.policies;
        assert_eq!(
            p.policy_for("access_patient_record")
                .unwrap()
                .retention_days,
            3650
        );
        assert_eq!(p.policy_for("charge_payment").unwrap().name, "rest");
    }

    #[test]
    fn entry_sizes_read_with_binary_units() {
        let limit = |text: &str| {
            Config::parse(&format!("[verify]\nmax_entry_bytes = {text:?}\n"))
                .map(|c| c.verify.max_entry_bytes)
        };
        assert_eq!(limit("64MiB"), Ok(Some(64 << 20)));
        assert_eq!(limit("512K"), Ok(Some(512 << 10)));
        assert_eq!(limit("1000"), Ok(Some(1000)));
        assert_eq!(limit("unlimited"), Ok(None));
        assert!(limit("0").is_err() && limit("12 parsecs").is_err());
    }

    #[test]
    fn the_full_reverification_interval_reads_durations_and_zero_turns_it_off() {
        let every = |text: &str| {
            Config::parse(&format!("[verify]\nreverify_every = {text:?}\n"))
                .map(|c| c.verify.reverify_every)
        };
        assert_eq!(every("1h"), Ok(Some(std::time::Duration::from_secs(3600))));
        assert_eq!(every("0"), Ok(None));
        assert!(every("sometimes").unwrap_err().contains("reverify_every"));
        assert_eq!(
            Config::default().verify.reverify_every,
            Some(std::time::Duration::from_secs(600))
        );
    }

    fn error_of(text: &str) -> String {
        Config::parse(text).unwrap_err()
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let e = error_of("# comment\n[alerts]\nthresold = 3\n");
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("thresold") && e.contains("threshold"), "{e}");

        let e = error_of("[alerts]\nwindow = \"soon\"\n");
        assert!(e.contains("line 2") && e.contains("soon"), "{e}");

        let e = error_of("[alerts]\nthreshold = 0\n");
        assert!(e.contains("line 2") && e.contains("at least 1"), "{e}");

        let e = error_of("[colors]\n\nalarm = \"blurple\"\n");
        assert!(e.contains("line 3") && e.contains("blurple"), "{e}");

        let e = error_of("[keys]\nlaunch_rockets = \"l\"\n");
        assert!(
            e.contains("line 2") && e.contains("launch_rockets") && e.contains("quit"),
            "{e}"
        );

        let e = error_of("[keys]\nquit = \"ctrl-\"\n");
        assert!(e.contains("line 2") && e.contains("ctrl-"), "{e}");

        let e =
            error_of("[[retention.policies]]\nname = \"x\"\nretention_days = 1\ntools = [\"a\"]\n");
        assert!(e.contains("catch-all"), "{e}");

        let e = error_of("[verify]\nmax_entry_bytes = \"huge\"\n");
        assert!(e.contains("line 2") && e.contains("huge"), "{e}");

        let e = error_of("paths = [\n");
        assert!(e.contains("line"), "{e}");
    }

    #[test]
    fn a_bad_file_still_gives_the_defaults_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[alerts]\nthreshold = \"many\"\n").unwrap();
        let loaded = Config::load(Some(&path));
        assert_eq!(loaded.config, Config::default());
        let problem = loaded.problem.unwrap();
        assert!(
            problem.contains("config.toml") && problem.contains("line 2"),
            "{problem}"
        );

        let missing = Config::load(Some(&dir.path().join("nope.toml")));
        assert!(missing.problem.unwrap().contains("nope.toml"));
    }
}
