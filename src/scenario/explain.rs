//! `trisim explain`: what a scenario key means, read from the scenario file schema
//! ([`super::schema::file_schema`], itself generated from the doc comments of the types) and
//! the default scenario. Nothing here is written twice: the meaning, range and sources come from
//! the schema, the default values from [`Scenario::default()`](super::Scenario).

use super::schema::{file_schema, DISTRIBUTION_REF};
use super::validate::nearest;
use super::Scenario;
use serde_json::Value;

/// One key of the scenario format, resolved in the schema.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Dotted key as written in a file, e.g. `actors.seoul.favourability`.
    pub key: String,
    /// The key's schema (a property of the file schema).
    pub schema: Value,
    /// The default value (the value in the effective scenario of an empty file), if any.
    pub default: Option<Value>,
    /// Descriptions of the enclosing tables, innermost first.
    pub context: Vec<(String, String)>,
    /// Whether the key is a new entry of a map (a new track, path, gate…).
    pub new_entry: bool,
    /// Whether the table holding the key requires it (`required` in the schema).
    pub required: bool,
}

/// The schema and the default scenario, walked together.
pub struct Explainer {
    schema: Value,
    defaults: Value,
}

impl Default for Explainer {
    fn default() -> Self {
        Self::new()
    }
}

/// What a new key of a map stands for, in listings (`tracks.<track>.sigma`).
fn placeholder(map_key: &str) -> &'static str {
    match map_key {
        "tracks" | "gates" | "targets" | "expectations" => "<track>",
        "paths" => "<path>",
        "score" => "<outcome>",
        "parameters" => "<address>",
        _ => "<key>",
    }
}

/// Whether a key segment is a placeholder of the listing (`<track>`, `<n>`).
fn is_placeholder(seg: &str) -> bool {
    seg.starts_with('<') && seg.ends_with('>')
}

/// A key as typed by an analyst, made plain: `[actors.seoul]`, `[[history.issues]]`,
/// `favourability = 0.3`, `paths."my path"` and `history.issues[1]` are all accepted.
pub fn normalize(key: &str) -> String {
    let mut k = key.trim();
    if let Some((left, _)) = k.split_once('=') {
        k = left.trim();
    }
    let k = k.trim_start_matches('[').trim_end_matches(']').trim();
    let k = k.replace(['"', '\''], "");
    // `issues[1]` → `issues.1`
    let k = k.replace("][", ".").replace('[', ".").replace(']', "");
    k.split('.')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

impl Explainer {
    pub fn new() -> Self {
        Explainer {
            schema: file_schema(),
            defaults: serde_json::to_value(Scenario::default()).unwrap_or(Value::Null),
        }
    }

    /// The schema of `node` with a `$ref` resolved.
    fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix("#/")
                .and_then(|p| self.schema.pointer(&format!("/{p}")))
                .unwrap_or(node),
            None => node,
        }
    }

    /// The entry at `key` (see [`normalize`]), or a message naming the nearest valid key.
    pub fn lookup(&self, key: &str) -> Result<Entry, String> {
        let plain = normalize(key);
        // An invalid key is echoed cut to [`MAX_ECHO`] characters (it may be anything).
        let shown = clip(&plain, MAX_ECHO + 1);
        if plain.is_empty() {
            return Err(
                "empty key: write a dotted key such as `actors.seoul.favourability`".into(),
            );
        }
        let mut node = &self.schema;
        let mut default = Some(&self.defaults);
        let mut context: Vec<(String, String)> = Vec::new();
        let mut done: Vec<String> = Vec::new();
        let mut new_entry = false;
        let mut required = false;
        for seg in plain.split('.') {
            let here = if done.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{}`", done.join("."))
            };
            if let Some(d) = node.get("description").and_then(Value::as_str) {
                if !done.is_empty() {
                    context.push((done.join("."), d.to_string()));
                }
            }
            let props = node.get("properties").and_then(Value::as_object);
            let additional = node.get("additionalProperties").filter(|a| a.is_object());
            let items = node.get("items").filter(|a| a.is_object());
            if let Some(p) = props.and_then(|p| p.get(seg)) {
                required = node
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|x| x == seg));
                node = p;
                default = default.and_then(|d| d.get(seg));
            } else if let Some(items) = items {
                // An array: `history.issues.<key>` by issue key, others by index.
                let by_key = default.and_then(Value::as_array).and_then(|a| {
                    a.iter()
                        .find(|x| x.get("key").and_then(Value::as_str) == Some(seg))
                });
                let index = seg.parse::<usize>().ok();
                match (by_key, index) {
                    (Some(x), _) => default = Some(x),
                    (None, Some(i)) => default = default.and_then(|d| d.get(i)),
                    // A placeholder such as `events.<n>`: any entry.
                    (None, None) if is_placeholder(seg) => default = None,
                    (None, None) => {
                        let keys: Vec<&str> = default
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.get("key").and_then(Value::as_str))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let mut msg = format!(
                            "unknown key `{shown}`: `{}` is not an entry of {here}",
                            clip(seg, MAX_ECHO + 1)
                        );
                        if let Some(n) = nearest(seg, keys.iter().copied()) {
                            msg.push_str(&format!("; did you mean `{}`?", replace_last(&done, n)));
                        } else if !keys.is_empty() {
                            msg.push_str(&format!(
                                "; its entries are {}",
                                super::validate::one_of(&keys)
                            ));
                        } else {
                            msg.push_str("; entries are numbered from 0");
                        }
                        return Err(msg);
                    }
                }
                node = items;
                new_entry = new_entry || default.is_none();
            } else if let Some(a) = additional {
                // A map: a known key that is near `seg` is a typo; anything else a new key.
                let known: Vec<&str> = props
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                if let Some(n) =
                    nearest(seg, known.iter().copied()).filter(|_| !is_placeholder(seg))
                {
                    return Err(format!(
                        "unknown key `{shown}`; did you mean `{}`?",
                        replace_last(&done, n)
                    ));
                }
                node = a;
                new_entry = true;
                default = None;
            } else {
                let known: Vec<&str> = props
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let mut msg = format!("unknown key `{shown}`");
                let all = self.keys();
                if let Some(n) = nearest(&plain, all.iter().map(|(k, _)| k.as_str())) {
                    msg.push_str(&format!("; did you mean `{n}`?"));
                } else if let Some(n) = nearest(seg, known.iter().copied()) {
                    msg.push_str(&format!("; did you mean `{}`?", replace_last(&done, n)));
                } else if known.is_empty() {
                    msg.push_str(&format!("; {here} has no keys below it"));
                } else {
                    msg.push_str(&format!(
                        "; the keys of {here} are {}",
                        super::validate::one_of(&known)
                    ));
                }
                return Err(msg);
            }
            done.push(seg.to_string());
        }
        context.reverse();
        // The value in the default scenario; for a new entry, the one the loader gives it.
        let default = default.or(node.get("default")).cloned();
        Ok(Entry {
            key: plain,
            schema: node.clone(),
            default,
            context,
            new_entry,
            required,
        })
    }

    /// Every key of the format with a one-line summary, in file order; maps list their
    /// default keys and a placeholder for new ones (`tracks.<track>.sigma`).
    pub fn keys(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.walk(&self.schema, "", Some(&self.defaults), &mut out);
        out
    }

    fn walk(
        &self,
        node: &Value,
        prefix: &str,
        default: Option<&Value>,
        out: &mut Vec<(String, String)>,
    ) {
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        if !prefix.is_empty() {
            let d = node
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            out.push((prefix.to_string(), summary(d)));
        }
        if let Some(p) = node.get("properties").and_then(Value::as_object) {
            for (k, v) in p {
                self.walk(v, &join(k), default.and_then(|d| d.get(k)), out);
            }
        }
        if let Some(a) = node.get("additionalProperties").filter(|a| a.is_object()) {
            let last = prefix.rsplit('.').next().unwrap_or(prefix);
            self.walk(a, &join(placeholder(last)), None, out);
        }
        if let Some(items) = node.get("items").filter(|a| a.is_object()) {
            if !items.get("properties").is_some_and(|p| p.is_object()) {
                // A fixed row of parameters is addressed element by element
                // (`world.nk.transition.surge.0`); other arrays of values as a whole.
                if let (Some(n), true) = (
                    node.get("maxItems").and_then(Value::as_u64),
                    items.get("anyOf").is_some(),
                ) {
                    for i in 0..n {
                        let d = items
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        out.push((join(&i.to_string()), summary(d)));
                    }
                }
                return;
            }
            let keys: Vec<&str> = default
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.get("key").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            if keys.is_empty() {
                self.walk(items, &join("<n>"), None, out);
            } else {
                for k in keys {
                    let d = default.and_then(Value::as_array).and_then(|a| {
                        a.iter()
                            .find(|x| x.get("key").and_then(Value::as_str) == Some(k))
                    });
                    self.walk(items, &join(k), d, out);
                }
            }
        }
    }

    /// The full explanation of `entry`, for a terminal `width` columns wide (lines are
    /// wrapped to it, and to about 96 columns at most for readability).
    pub fn render(&self, e: &Entry, width: usize) -> String {
        let width = width.max(MIN_WIDTH);
        let node = &e.schema;
        let mut s = format!("{}\n", e.key);
        let description = node
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("(no description)");
        for para in description.split("\n\n") {
            for line in wrap(para, width.min(96) - 4) {
                s.push_str(&format!("    {line}\n"));
            }
        }
        s.push('\n');
        let mut row = |label: &str, text: &str| {
            let mut first = true;
            for line in wrap(text, width.min(92) - 12) {
                let l = if first { label } else { "" };
                s.push_str(&format!("  {l:<9} {line}\n"));
                first = false;
            }
        };
        row("value", &self.kind(node));
        if let Some(r) = range_text(self.number_branch(node)) {
            row("range", &r);
        }
        if let Some(u) = unit(&e.key, description) {
            row("unit", &u);
        }
        let required: Vec<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match &e.default {
            _ if is_table(node) => {
                if !required.is_empty() {
                    row(
                        "required",
                        &format!(
                            "a new entry must give {}; the other keys have defaults",
                            super::validate::one_of(&required).replace(" or ", " and ")
                        ),
                    );
                }
            }
            Some(Value::Array(a)) if a.iter().any(|x| x.get("key").is_some()) => {
                let keys: Vec<&str> = a
                    .iter()
                    .filter_map(|x| x.get("key").and_then(Value::as_str))
                    .collect();
                row(
                    "default",
                    &format!(
                        "{} entries: {} (`trisim explain {}.KEY` shows each)",
                        keys.len(),
                        keys.join(", "),
                        e.key
                    ),
                );
            }
            Some(d) => row("default", &toml_text(d)),
            None => row("default", &no_default(e)),
        }
        // A key that cites nothing itself shows its table's sources, and says so.
        let mut sources = sources_in(description);
        let mut cited_by = None;
        if sources.is_empty() {
            for (k, d) in &e.context {
                sources = sources_in(d);
                if !sources.is_empty() {
                    cited_by = Some(k);
                    break;
                }
            }
        }
        let parameter = node
            .get("anyOf")
            .is_some_and(|a| a.to_string().contains(DISTRIBUTION_REF));
        if !sources.is_empty() {
            match cited_by {
                Some(k) => row(
                    "sources",
                    &format!("{} (those of [{k}])", sources.join(", ")),
                ),
                None => row("sources", &sources.join(", ")),
            }
            // Each essay cited, in full, once.
            for s in &sources {
                if let Some(full) = essay_reference(s) {
                    row("", &format!("{s}: {full}"));
                }
            }
        } else if parameter {
            row(
                "sources",
                "none cited: a prior (docs/model.md gives the reasoning for each default)",
            );
        }
        if let Some((k, d)) = e.context.first() {
            row("in", &format!("[{k}]: {}", without_header(&summary(d))));
        }
        if is_table(node) {
            let mut keys = Vec::new();
            self.walk(node, &e.key, e.default.as_ref(), &mut keys);
            let depth = e.key.split('.').count() + 1;
            let direct: Vec<&(String, String)> = keys
                .iter()
                .filter(|(k, _)| k.split('.').count() == depth)
                .collect();
            if !direct.is_empty() {
                s.push_str("\n  keys (default, then meaning):\n");
                let kw = direct
                    .iter()
                    .map(|(k, _)| k.rsplit('.').next().unwrap_or(k).len())
                    .max()
                    .unwrap_or(0);
                // Defaults cut to leave the meaning room (a quarter of the width, up to 40).
                let vmax = (width / 4).clamp(10, 40);
                let values: Vec<String> = direct
                    .iter()
                    .map(|(k, _)| {
                        let name = k.rsplit('.').next().unwrap_or(k);
                        let value = e
                            .default
                            .as_ref()
                            .and_then(|d| d.get(name))
                            .or_else(|| node.pointer(&format!("/properties/{name}/default")));
                        if value.is_none() && required.contains(&name) {
                            return "(required)".to_string();
                        }
                        value
                            .filter(|v| match v.as_object() {
                                // Distributions and small maps of values show inline.
                                Some(m) => {
                                    m.contains_key("dist") || m.values().all(|x| !x.is_object())
                                }
                                None => true,
                            })
                            .map(|v| format!("= {}", clip(&toml_text(v), vmax)))
                            .unwrap_or_default()
                    })
                    .collect();
                let vw = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
                // The meaning in a third column, wrapped, if it leaves room enough; else
                // under the key and its default.
                let indent = 4 + kw + 1 + vw + 2;
                let column = width.saturating_sub(indent);
                for ((k, summ), value) in direct.iter().zip(&values) {
                    let name = k.rsplit('.').next().unwrap_or(k);
                    if column >= 30 {
                        let lines = wrap(summ, column);
                        s.push_str(&format!("    {name:<kw$} {value:<vw$}  {}\n", lines[0]));
                        for l in &lines[1..] {
                            s.push_str(&format!("{:indent$}{l}\n", ""));
                        }
                    } else {
                        s.push_str(format!("    {name:<kw$} {value}").trim_end());
                        s.push('\n');
                        for l in wrap(summ, width - 8) {
                            s.push_str(&format!("        {l}\n"));
                        }
                    }
                }
            }
        }
        s
    }

    /// The number branch of a parameter, or the node itself for plain numbers.
    fn number_branch<'a>(&self, node: &'a Value) -> &'a Value {
        node.get("anyOf")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .find(|b| b.get("type").and_then(Value::as_str) == Some("number"))
            })
            .unwrap_or(node)
    }

    /// What kind of value a key takes, in words.
    fn kind(&self, node: &Value) -> String {
        if let Some(a) = node.get("anyOf").and_then(Value::as_array) {
            if a.iter()
                .any(|b| b.get("$ref").and_then(Value::as_str) == Some(DISTRIBUTION_REF))
            {
                let whole = self.number_branch(node).get("multipleOf").is_some();
                return format!(
                    "{}, or a distribution table drawn once per replication, e.g. {{ dist = \"uniform\", low = 0.1, high = 0.3 }} (also normal, beta, triangular, lognormal, and empirical {{ dist = \"empirical\", values = [...], weights = [...] }} as `trisim calibrate` writes){}",
                    if whole { "a whole number" } else { "a number" },
                    if whole { "; draws are rounded" } else { "" }
                );
            }
            let kinds: Vec<String> = a.iter().map(|b| self.kind(self.resolve(b))).collect();
            return kinds.join(", or ");
        }
        if let Some(e) = node.get("enum").and_then(Value::as_array) {
            let names: Vec<String> = e.iter().map(|x| x.to_string()).collect();
            return format!("one of {}", names.join(", "));
        }
        if let Some(o) = node.get("oneOf").and_then(Value::as_array) {
            let names: Vec<String> = o
                .iter()
                .filter_map(|b| b.get("const"))
                .map(|x| x.to_string())
                .collect();
            if !names.is_empty() {
                return format!("one of {}", names.join(", "));
            }
        }
        match node.get("type").and_then(Value::as_str) {
            Some("string") if node.get("pattern").is_some() => {
                "a month in quotes, \"YYYY-MM\"".into()
            }
            Some("string") => "text in quotes".into(),
            Some("integer") => "a whole number".into(),
            Some("number") => "a number".into(),
            Some("boolean") => "true or false".into(),
            Some("array") => {
                let item = node
                    .get("items")
                    .map(|i| self.kind(self.resolve(i)))
                    .unwrap_or_default();
                if is_table(node.get("items").unwrap_or(&Value::Null)) {
                    "an array of tables ([[...]] sections; listing it replaces the default list)"
                        .into()
                } else {
                    format!("an array of: {item}")
                }
            }
            Some("object") if node.get("properties").is_none() => {
                "a table of name = value entries".into()
            }
            Some("object") => "a table".into(),
            _ => "a value".into(),
        }
    }
}

fn is_table(node: &Value) -> bool {
    node.get("properties").is_some()
        || node
            .get("additionalProperties")
            .is_some_and(Value::is_object)
}

/// `done` with its last segment replaced by `n`… or `n` appended: the suggested key.
fn replace_last(done: &[String], n: &str) -> String {
    let mut v = done.to_vec();
    v.push(n.to_string());
    v.join(".")
}

/// A table's summary without its leading header ("`[world.nk]`: North Korea…" → "North
/// Korea…").
pub fn without_header(s: &str) -> &str {
    if s.starts_with("`[") {
        if let Some(i) = s.find("`: ") {
            return &s[i + 3..];
        }
    }
    s
}

/// The first sentence of a description.
pub fn summary(d: &str) -> String {
    let first = d.split("\n\n").next().unwrap_or("");
    let mut end = first.len();
    for (i, _) in first.match_indices(". ") {
        // Not an abbreviation such as "e.g. " or "§4.1. ".
        let before = &first[..i];
        if !(before.ends_with("e.g") || before.ends_with("i.e") || before.ends_with("cf")) {
            end = i + 1;
            break;
        }
    }
    first[..end].trim().to_string()
}

/// A value as written in TOML (inline tables for tables).
pub fn toml_text(v: &Value) -> String {
    match toml::Value::try_from(v) {
        Ok(t) => t.to_string(),
        Err(_) => v.to_string(),
    }
}

/// Longest key echoed whole in an error.
pub const MAX_ECHO: usize = 80;

/// `s` cut to `n` characters at most, the last one `…` when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}

/// The valid range stated by a numeric schema, in words.
pub fn range_text(node: &Value) -> Option<String> {
    let t = node.get("type").and_then(Value::as_str)?;
    if t != "number" && t != "integer" {
        return None;
    }
    let num = |k: &str| node.get(k).and_then(Value::as_f64);
    // Integers exactly, other numbers shortened.
    let f = |k: &str, x: f64| match node.get(k) {
        Some(v) if v.is_i64() || v.is_u64() => v.to_string(),
        _ => super::param::short(x),
    };
    let whole = t == "integer" || node.get("multipleOf").is_some();
    let text = match (num("minimum"), num("exclusiveMinimum"), num("maximum")) {
        (Some(0.0), None, Some(1.0)) if !whole => "[0, 1] (a probability or share)".to_string(),
        (Some(lo), None, Some(hi)) => format!("[{}, {}]", f("minimum", lo), f("maximum", hi)),
        // (A TOML integer is at most 2^63 − 1: no bound worth stating.)
        (Some(lo), None, None) if t == "integer" => format!("≥ {}", f("minimum", lo)),
        (Some(lo), None, None) => format!("[{}, ∞)", f("minimum", lo)),
        (None, Some(lo), None) => format!("({}, ∞)", f("exclusiveMinimum", lo)),
        (None, Some(lo), Some(hi)) => {
            format!("({}, {}]", f("exclusiveMinimum", lo), f("maximum", hi))
        }
        (None, None, Some(hi)) => format!("(-∞, {}]", f("maximum", hi)),
        _ => "any finite number".to_string(),
    };
    Some(if whole && t != "integer" {
        format!("{text}, whole numbers")
    } else {
        text
    })
}

/// The unit of a key, where the key or its description states one.
fn unit(key: &str, description: &str) -> Option<String> {
    let last = key.rsplit('.').next().unwrap_or(key);
    let d = description.to_lowercase();
    if last.ends_with("months") || last.ends_with("_months") || last == "months_to_settle" {
        Some("months".into())
    } else if d.contains("% of gdp") {
        Some("% of GDP".into())
    } else if d.contains("monthly")
        || d.contains("per month")
        || d.contains("monthly hazard")
        || d.contains("monthly probability")
    {
        Some("per month".into())
    } else {
        None
    }
}

/// The five essays the model draws on, by the short form descriptions cite them in, with
/// their full references (as listed at the top of docs/model.md). Three give no author or
/// publisher in their text and are named by subject.
pub const ESSAYS: [(&str, &str); 5] = [
    (
        "Op-ed 2022",
        "an unsigned 2022 commentary on Korea–US–Japan cooperation under Yoon Suk-yeol, written \
         after the June 2022 Madrid meeting (no author or publisher given)",
    ),
    (
        "Chun 2022",
        "Jahyun Chun, \"Promoting Security Cooperation of South Korea\", Yonsei University, \
         10 August 2022",
    ),
    (
        "Madrid 2022",
        "an unsigned 2022 article on the Biden–Kishida–Yoon meeting in Madrid (no author or \
         publisher given)",
    ),
    (
        "Embracing 2023",
        "\"Embracing the US-Japan-South Korea trilateral\", an unsigned 2023 article (no author \
         or publisher given)",
    ),
    (
        "Cho 2019",
        "Amb. Cho Tae-yong, \"Necessity of and Obstacles to Security Cooperation between Korea, \
         Japan, and the U.S.\", address to the International Leadership Conference 2019, Seoul, \
         16 May 2019",
    ),
];

/// The full reference of an essay cited by its short form (`"Chun 2022"`).
pub fn essay_reference(short: &str) -> Option<&'static str> {
    ESSAYS
        .iter()
        .find(|(s, _)| *s == short)
        .map(|(_, full)| *full)
}

/// Sources cited in a description, in this order: essays by their short form ("Chun 2022",
/// see [`ESSAYS`]) in order of first citation, data files ("data/x.csv"), and sections of
/// the model's documentation ("docs/model.md §3.4"). Each is listed once.
pub fn sources_in(d: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    // An essay's short form as a whole phrase: not inside a word, and not the start of a
    // longer number or date ("Madrid 2022-06" is a month, not a citation).
    let mut essays: Vec<(usize, &str)> = Vec::new();
    for (short, _) in ESSAYS {
        for (i, _) in d.match_indices(short) {
            let before = d[..i].chars().next_back();
            let after = d[i + short.len()..].chars().next();
            if !before.is_some_and(|c| c.is_alphanumeric())
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
            {
                essays.push((i, short));
                break;
            }
        }
    }
    essays.sort();
    for (_, short) in essays {
        push(short.to_string());
    }
    for (i, _) in d.match_indices("data/") {
        let rest = &d[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
            .unwrap_or(rest.len());
        push(rest[..end].trim_end_matches('.').to_string());
    }
    // Sections: "docs/model.md §3.4", and a bare "§3.9" that continues a list begun by
    // "docs/model.md §" (no other file's section in between).
    let mut in_model = false;
    for (i, _) in d.match_indices('§') {
        let before = d[..i].trim_end();
        if before.ends_with("docs/model.md") {
            in_model = true;
        } else if before.ends_with(".md") {
            in_model = false;
        }
        if !in_model {
            continue;
        }
        let rest = &d[i + '§'.len_utf8()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let section = rest[..end].trim_end_matches('.');
        if !section.is_empty() {
            push(format!("docs/model.md §{section}"));
        }
    }
    out
}

/// `text` in lines of at most `width` characters (at least 1); words are split only when
/// longer than a line (a long file name in a narrow column).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        let mut pieces: Vec<String> = chars.chunks(width).map(|c| c.iter().collect()).collect();
        let last = pieces.pop().unwrap_or_default();
        for piece in pieces {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(piece);
        }
        if !line.is_empty() && line.chars().count() + 1 + last.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&last);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Narrowest width the explanations are laid out for.
pub const MIN_WIDTH: usize = 40;

/// Every key with its summary, aligned in two columns (`trisim explain` with no key). For a
/// terminal `width` columns wide, the summaries are wrapped within it, and a key longer than
/// its column has its summary on the lines below it; with no width (a pipe), one line per key,
/// so that `grep` finds a key and its meaning together.
pub fn listing(ex: &Explainer, width: Option<usize>) -> String {
    let keys = ex.keys();
    let longest = keys
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut s = String::new();
    let Some(width) = width else {
        let kw = longest.min(56);
        for (k, summ) in keys {
            s.push_str(&format!("{k:<kw$}  {summ}\n"));
        }
        return s;
    };
    let width = width.max(MIN_WIDTH);
    let kw = longest.min(56).min(width * 2 / 5);
    let indent = kw + 2;
    for (k, summ) in keys {
        let lines = wrap(&summ, width - indent);
        let mut rest = &lines[..];
        if k.chars().count() <= kw {
            s.push_str(format!("{k:<kw$}  {}", lines[0]).trim_end());
            s.push('\n');
            rest = &lines[1..];
        } else {
            // (Cut only in a terminal too narrow for it.)
            for part in wrap(&k, width) {
                s.push_str(&part);
                s.push('\n');
            }
        }
        for l in rest {
            s.push_str(&format!("{:indent$}{l}\n", ""));
        }
    }
    s
}

/// Every event kind: what it does (from the schema), the keys it needs and those it may give
/// (the end of `trisim explain events`).
pub fn event_kinds() -> String {
    let file = file_schema();
    let described = |kind: &str| -> String {
        file.pointer("/properties/events/items/properties/kind/oneOf")
            .and_then(|v| v.as_array())
            .and_then(|a| a.iter().find(|b| b["const"] == kind))
            .and_then(|b| b["description"].as_str())
            .unwrap_or("")
            .to_string()
    };
    let mut out = String::from(
        "\nEvent kinds (each [[events]] entry has `month`, `kind`, an optional `note`, and the keys\nits kind needs; `trisim validate` names a missing or meaningless key):\n",
    );
    for (kind, needs, may) in super::validate::event_kind_keys() {
        out.push_str(&format!("\n  {kind}\n"));
        for line in wrap(&described(kind), 92) {
            out.push_str(&format!("      {line}\n"));
        }
        let list = |k: &[&str]| {
            k.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !needs.is_empty() {
            out.push_str(&format!("      needs: {}\n", list(&needs)));
        }
        if !may.is_empty() {
            out.push_str(&format!("      may give: {}\n", list(&may)));
        }
    }
    out
}

/// What the default of a key without one says: whether a new entry must give the key (for
/// an event, which kinds need it).
fn no_default(e: &Entry) -> String {
    if e.new_entry && e.required {
        return "none: a new entry must give it".to_string();
    }
    if let ["events", _, name] = e.key.split('.').collect::<Vec<_>>().as_slice() {
        let kinds: Vec<String> = super::validate::event_kind_keys()
            .into_iter()
            .filter(|(_, needs, _)| needs.contains(name))
            .map(|(kind, _, _)| format!("`{kind}`"))
            .collect();
        if !kinds.is_empty() {
            return format!("none: needed by {}", kinds.join(", "));
        }
    }
    "none (optional)".to_string()
}

/// Text for a Markdown table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// A value in a Markdown code span (backticks inside it are doubled around).
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", cell(text))
    } else {
        format!("`{}`", cell(text))
    }
}

/// The scenario reference as Markdown (`trisim explain --markdown`, checked in as
/// `docs/keys.md`): every key of [`Explainer::keys`], table by table, with its meaning, the
/// value it takes and its range, its default and its sources, all from the same schema and
/// default scenario as `trisim explain`, and the event kinds as `trisim explain events` lists
/// them.
pub fn markdown_reference(ex: &Explainer) -> String {
    let mut s = String::from(
        "# Scenario keys (generated)\n\n\
         Every key of a scenario file, table by table: what it means, the value it takes and its \
         valid range, its default (the value in effect when a file does not write it) and its \
         sources. This page is generated by `trisim explain --markdown` from the same source as \
         `trisim explain` and the JSON Schema `scenarios/trisim.schema.json`: the doc comments of \
         trisim's scenario types and its default scenario. Do not edit it by hand: a test fails \
         when it differs from the program's output. After changing the scenario types, \
         regenerate it from the repository's root with\n\n\
         ```sh\ntrisim explain --markdown > docs/keys.md\n```\n\n\
         How scenario files are written (merging onto the defaults, distributions, `extends`, \
         events and series with examples) is in [Scenario files](reference.md). A key written \
         with a placeholder stands for any new entry: `tracks.<track>` for a new track, \
         `paths.<path>` for a new path, `events.<n>` for any event. \"A number or a \
         distribution\" is a fixed value (`0.3`) or a distribution drawn once per replication, \
         e.g. `{ dist = \"uniform\", low = 0.1, high = 0.3 }`; the forms are listed in \
         [the guide](guide.md#scenario-files).\n\n\
         Sources: \"docs/model.md §3.4\" is a section of [the model](model.md); `data/…` files \
         are described in the repository's `data/README.md`; the essays are cited by a short \
         label:\n\n",
    );
    for (short, full) in ESSAYS {
        s.push_str(&format!("- **[{short}]** {full}\n"));
    }
    s.push_str(
        "\nA parameter with no source cited is a prior: docs/model.md gives the reasoning for \
         its default.\n",
    );
    let keys = ex.keys();
    let entries: Vec<Entry> = keys.iter().filter_map(|(k, _)| ex.lookup(k).ok()).collect();
    let parent = |k: &str| {
        k.rsplit_once('.')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default()
    };
    // The tables in file order, the top level first.
    let mut tables: Vec<&Entry> = Vec::new();
    let top_leaves = entries
        .iter()
        .any(|e| !is_table(&e.schema) && !e.key.contains('.'));
    // The default entries of a map (the bundled tracks, paths, gates) are not repeated key by
    // key: their keys are those of the map's new entry (`tracks.<track>`), listed once, and
    // the map's section names them.
    let table_keys: Vec<&str> = entries
        .iter()
        .filter(|e| is_table(&e.schema))
        .map(|e| e.key.as_str())
        .collect();
    let default_entry = |k: &str| -> bool {
        let segs: Vec<&str> = k.split('.').collect();
        (1..segs.len()).any(|i| {
            let map = segs[..i].join(".");
            !is_placeholder(segs[i])
                && table_keys.iter().any(|t| {
                    t.strip_prefix(map.as_str())
                        .and_then(|r| r.strip_prefix('.'))
                        .is_some_and(|r| !r.contains('.') && is_placeholder(r))
                })
        })
    };
    for e in &entries {
        if is_table(&e.schema) && !default_entry(&e.key) {
            tables.push(e);
        }
    }
    let section = |s: &mut String, title: &str, description: Option<&str>, parent_key: &str| {
        s.push_str(&format!("\n## {title}\n\n"));
        if let Some(d) = description {
            for para in d.split("\n\n") {
                s.push_str(&cell(para));
                s.push_str("\n\n");
            }
        }
        let leaves: Vec<&Entry> = entries
            .iter()
            .filter(|e| !is_table(&e.schema) && parent(&e.key) == parent_key)
            .collect();
        if leaves.is_empty() {
            return;
        }
        s.push_str("| key | meaning | value | default | sources |\n|---|---|---|---|---|\n");
        for e in leaves {
            let node = &e.schema;
            let description = node
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            // A parameter's value in short: the page's introduction says what a distribution
            // is.
            let mut value = if node
                .get("anyOf")
                .is_some_and(|a| a.to_string().contains(DISTRIBUTION_REF))
            {
                if ex.number_branch(node).get("multipleOf").is_some() {
                    "a whole number or a distribution (draws rounded)".to_string()
                } else {
                    "a number or a distribution".to_string()
                }
            } else {
                ex.kind(node)
            };
            if let Some(r) = range_text(ex.number_branch(node)) {
                value.push_str(&format!("; range {r}"));
            }
            if let Some(u) = unit(&e.key, description) {
                value.push_str(&format!("; unit: {u}"));
            }
            let default = match &e.default {
                Some(Value::Array(a)) if a.iter().any(|x| x.get("key").is_some()) => {
                    let keys: Vec<String> = a
                        .iter()
                        .filter_map(|x| x.get("key").and_then(Value::as_str))
                        .map(|k| format!("`{k}`"))
                        .collect();
                    format!("{} entries: {}", keys.len(), keys.join(", "))
                }
                Some(d) => code(&toml_text(d)),
                None => no_default(e),
            };
            let sources = sources_in(description).join(", ");
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                code(&e.key),
                cell(description),
                cell(&value),
                default,
                cell(&sources)
            ));
        }
        s.push('\n');
    };
    if top_leaves {
        section(
            &mut s,
            "Top level",
            Some("Keys written before any `[table]` header."),
            "",
        );
    }
    for t in tables {
        let description = t.schema.get("description").and_then(Value::as_str);
        section(&mut s, &format!("`[{}]`", t.key), description, &t.key);
        let bundled: Vec<String> = table_keys
            .iter()
            .filter(|k| parent(k) == t.key && default_entry(k))
            .map(|k| format!("`{}`", k.rsplit('.').next().unwrap_or(k)))
            .collect();
        if !bundled.is_empty() {
            s.push_str(&format!(
                "Entries in the default scenario: {}. Each has the keys of a new entry (below), \
                 with its own defaults: `trisim explain {}.KEY` lists them, and `trisim show` \
                 prints every value of a scenario.\n\n",
                bundled.join(", "),
                t.key
            ));
        }
        if t.key == "events.<n>" {
            s.push_str("The kinds of event, as `trisim explain events` lists them:\n\n```text");
            s.push_str(&event_kinds());
            s.push_str("```\n\n");
        }
    }
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_within_the_width() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(
            wrap("see data/long_name.csv.", 8),
            ["see", "data/lon", "g_name.c", "sv."]
        );
        assert_eq!(wrap("", 10), [""]);
        let ex = Explainer::new();
        // In a pipe: one line per key.
        let piped = listing(&ex, None);
        assert_eq!(piped.lines().count(), ex.keys().len());
        for width in [40, 60, 80, 100, 200] {
            let text = listing(&ex, Some(width));
            assert!(text.lines().all(|l| l.chars().count() <= width), "{width}");
            // Two columns: every summary line starts in the same column.
            let first = text.lines().next().unwrap();
            let gap = first.find("  ").unwrap();
            let column = gap + first[gap..].len() - first[gap..].trim_start().len();
            for l in text.lines().filter(|l| l.starts_with(' ')) {
                assert_eq!(l.len() - l.trim_start().len(), column, "{width}: {l}");
            }
            for key in ["paths.hasty", "actors.seoul", "history.issues", "scenario"] {
                let text = ex.render(&ex.lookup(key).unwrap(), width);
                assert!(
                    text.lines().all(|l| l.chars().count() <= width),
                    "{key} at {width}:\n{text}"
                );
            }
        }
    }

    #[test]
    fn keys_are_read_forgivingly() {
        assert_eq!(normalize("[actors.seoul]"), "actors.seoul");
        assert_eq!(normalize("[[history.issues]]"), "history.issues");
        assert_eq!(normalize("  favourability = 0.3 "), "favourability");
        assert_eq!(normalize("paths.\"my path\".gates"), "paths.my path.gates");
        assert_eq!(
            normalize("history.issues[1].salience"),
            "history.issues.1.salience"
        );
    }

    #[test]
    fn sources_are_found_in_descriptions() {
        assert_eq!(
            sources_in(
                "Cost (THAAD 2017, data/thaad_retaliation_2017.csv; Cho 2019, Embracing 2023). \
                 See docs/model.md §4.3 and docs/model.md §3.6; Cho 2019 again."
            ),
            [
                "Cho 2019",
                "Embracing 2023",
                "data/thaad_retaliation_2017.csv",
                "docs/model.md §4.3",
                "docs/model.md §3.6"
            ]
        );
        // Every essay is found, in brackets too, in order of first citation.
        assert_eq!(
            sources_in("[Madrid 2022] and (Op-ed 2022; Chun 2022)"),
            ["Madrid 2022", "Op-ed 2022", "Chun 2022"]
        );
        // Numbers, dates, essay numbers and sections of other files are not sources; a month
        // after a name is not a citation, nor a section sign without a section.
        assert!(sources_in("Monthly hazard 0.015 over 100 months (2023-04)").is_empty());
        assert!(sources_in("See 003, essay 004 and README.md §4.2.").is_empty());
        assert!(sources_in("Madrid 2022-06, Cho 20190, Chun 2022x, docs/model.md §.").is_empty());
        // A list of sections continues the model's until another file's section.
        assert_eq!(
            sources_in("(docs/model.md §1.3 steps 3–4 and 7, §3.9, §3.10; README.md §2, §4)"),
            [
                "docs/model.md §1.3",
                "docs/model.md §3.9",
                "docs/model.md §3.10"
            ]
        );
    }

    #[test]
    fn every_essay_has_a_full_reference() {
        for (short, full) in ESSAYS {
            assert_eq!(essay_reference(short), Some(full));
            assert_eq!(sources_in(&format!("({short})")), [short]);
            let year = &short[short.len() - 4..];
            assert!(full.contains(year), "{short}: {full}");
        }
        assert!(essay_reference("essay 001").is_none());
        assert!(essay_reference("Cho 2022").is_none());
        let chun = essay_reference("Chun 2022").unwrap();
        for part in [
            "Jahyun Chun",
            "Promoting Security",
            "Yonsei University",
            "10 August 2022",
        ] {
            assert!(chun.contains(part), "{chun}");
        }
    }

    #[test]
    fn explain_prints_essays_in_full() {
        let ex = Explainer::new();
        let e = ex
            .lookup("paths.gradual.gates.regional.favourability_margin")
            .unwrap();
        let text = ex.render(&e, 100);
        assert!(text.contains("sources   Chun 2022"), "{text}");
        assert!(text.contains("Chun 2022: Jahyun Chun"), "{text}");
        assert!(!text.contains("essay"), "{text}");
        let e = ex.lookup("world.china.desire_penalty_jp").unwrap();
        let text = ex.render(&e, 100);
        assert!(text.contains("sources   Embracing 2023\n"), "{text}");
        assert!(
            text.contains("Embracing 2023: \"Embracing the US-Japan"),
            "{text}"
        );
        // A key citing nothing takes the sources of its table.
        let e = ex.lookup("world.china.memory_decay").unwrap();
        let text = ex.render(&e, 100);
        assert!(
            text.contains("sources   docs/model.md §3.6 (those of [world.china])\n"),
            "{text}"
        );
    }

    #[test]
    fn summaries_stop_at_the_first_sentence() {
        assert_eq!(
            summary("Weight w (e.g. 0.5). More text."),
            "Weight w (e.g. 0.5)."
        );
        assert_eq!(summary("No period"), "No period");
    }

    #[test]
    fn every_listed_key_is_explained() {
        let ex = Explainer::new();
        let keys = ex.keys();
        assert!(keys.len() > 500, "{}", keys.len());
        for (k, summary) in &keys {
            assert!(!summary.is_empty(), "{k} has no summary");
            let e = ex.lookup(k).unwrap_or_else(|m| panic!("{k}: {m}"));
            assert!(!ex.render(&e, 100).is_empty());
        }
        let score = ex.lookup("scenario.score.kr_crises").unwrap();
        assert!(score.schema["description"]
            .as_str()
            .unwrap()
            .contains("Political crises in Seoul"));
        assert!(ex.lookup("scenario.score.kr_crisis").is_err());
    }

    #[test]
    fn issues_are_explained_by_key_and_index() {
        let ex = Explainer::new();
        let by_key = ex
            .lookup("history.issues.forced_labor.court_pending")
            .unwrap();
        assert_eq!(by_key.default, Some(Value::Bool(true)));
        let by_index = ex.lookup("history.issues[0].court_pending").unwrap();
        assert_eq!(by_index.default, Some(Value::Bool(false)));
        let row = ex.lookup("world.nk.transition.surge.2").unwrap();
        assert_eq!(row.default, Some(serde_json::json!(0.92)));
        assert!(ex.lookup("history.issues.forced_labour").is_err());
    }
}
