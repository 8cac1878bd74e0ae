//! The JSON Schema (draft 2020-12) of scenario *files*: `trisim schema`, committed as
//! `scenarios/trisim.schema.json`, read by editors (Taplo / Even Better TOML through a first
//! line `#:schema ./trisim.schema.json`) and by `trisim explain`.
//!
//! The schema is derived, not written: `schemars` derives the shape of [`Scenario`] from the
//! Rust types (with the doc comments as descriptions), and [`file_schema`] rewrites it into what
//! a *file* accepts, from the same sources the loader uses:
//!
//! - no key is required: a file is merged key by key onto [`Scenario::default()`] (`load.rs`),
//!   whose values become each key's `default`; only a *new* track (`[tracks.NEW]`), a new gate
//!   and a `[[history.issues]]` entry must give the keys the loader has no default for (those
//!   missing from `load::track_template` / `load::issue_template`), and `[[events]]` and
//!   `[sweep]` entries keep the keys their types require;
//! - maps (`tracks`, `paths`, `gates`, `targets`, …) list their default keys, each with its own
//!   defaults, and accept new keys (`additionalProperties`); a bundled path takes no `base`;
//! - every numeric parameter ([`Param`](super::Param)) accepts a number or a distribution
//!   table; the number's range (`minimum`, `maximum`, `exclusiveMinimum`, `multipleOf` for
//!   whole months) comes from the parameter's [`Bound`], as visited by the validator
//!   ([`super::address::all`]), so ranges are written in one place;
//! - the top-level `extends` key (handled by the loader) is added.
//!
//! The schema is self-contained: every table is inlined (two tables of one type have
//! different defaults, e.g. `actors.seoul` and `actors.tokyo`), and only the distribution
//! tables are shared, under `$defs`.

use super::address;
use super::load::{issue_template, track_template};
use super::param::Bound;
use super::types::Scenario;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The JSON Schema dialect written in `$schema`.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Where the distribution table is defined in the schema (shared by every parameter).
pub const DISTRIBUTION_REF: &str = "#/$defs/Distribution";

/// Description of the top-level `extends` key, which the loader handles (it is not a field of
/// [`Scenario`]).
const EXTENDS_DOC: &str = "The scenario file this one builds on, relative to the folder of this file (e.g. \"../baseline.toml\"). Its keys apply first, then this file's: tables merge key by key; arrays, values and distributions replace. The extended file may extend another (up to 32 files in a chain). Only allowed at the top of the file.";

/// The JSON Schema of scenario files, as `trisim schema` prints it.
pub fn file_schema() -> Value {
    build().0
}

/// The schema as committed in `scenarios/trisim.schema.json`: pretty-printed, keys in a fixed
/// order, with a trailing newline.
pub fn file_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&file_schema())
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot write the schema: {e}\"}}"));
    s.push('\n');
    s
}

/// The schema and the internal problems found while building it (a parameter without a range
/// or a key without a description): none for a sound build, which the tests check.
pub fn build() -> (Value, Vec<String>) {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut raw = generator.into_root_schema_for::<Scenario>().to_value();
    let defs = match raw.get_mut("$defs").map(Value::take) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let defaults = serde_json::to_value(Scenario::default()).unwrap_or(Value::Null);
    let bounds = address::all(&Scenario::default())
        .into_iter()
        .map(|a| (a.key, (a.bound, a.whole)))
        .collect();
    let mut b = Builder {
        defs: &defs,
        defaults: &defaults,
        bounds,
        problems: Vec::new(),
    };
    let mut root = b.node(&raw, &[], Some(&defaults));
    let mut dist = b.plain(&json!({ "$ref": "#/$defs/Dist" }));
    if let Some(d) = dist.as_object_mut() {
        d.insert(
            "description".into(),
            json!("A distribution table: the parameter is drawn once per replication from it, truncated to the parameter's valid range. Write { dist = \"uniform\", low = …, high = … }, \"normal\" (mean, sd), \"beta\" (alpha, beta), \"triangular\" (min, mode, max) or \"lognormal\" (mu, sigma)."),
        );
    }
    if let Some(obj) = root.as_object_mut() {
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(p) = props.as_object_mut() {
            let mut with_extends = Map::new();
            with_extends.insert(
                "extends".into(),
                json!({ "type": "string", "minLength": 1, "description": EXTENDS_DOC }),
            );
            with_extends.extend(std::mem::take(p));
            *p = with_extends;
        }
        let mut out = Map::new();
        out.insert("$schema".into(), json!(DIALECT));
        out.insert("title".into(), json!("trisim scenario file"));
        out.insert(
            "description".into(),
            json!("A trisim scenario (TOML). Every key is optional: what a file does not write takes the default shown here (`trisim show FILE` prints the effective scenario). `trisim explain KEY` prints what a key means."),
        );
        for (k, v) in std::mem::take(obj) {
            if k != "description" && k != "title" {
                out.insert(k, v);
            }
        }
        let mut defs_out = Map::new();
        defs_out.insert("Distribution".into(), dist);
        out.insert("$defs".into(), Value::Object(defs_out));
        *obj = out;
    }
    (root, b.problems)
}

struct Builder<'a> {
    defs: &'a Map<String, Value>,
    defaults: &'a Value,
    /// Range and whole-number flag of every parameter address.
    bounds: HashMap<String, (Bound, bool)>,
    problems: Vec<String>,
}

/// A key path as written in the file (`paths.gradual.gates.regional`).
fn dotted(path: &[String]) -> String {
    path.join(".")
}

/// A doc comment as a one-paragraph-per-line description: lines of a paragraph joined,
/// rustdoc links (`[`x`]`, `[`x`](y)`) as plain code.
pub fn tidy_doc(s: &str) -> String {
    let paragraphs: Vec<String> = s
        .split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect();
    let mut t = paragraphs.join("\n\n");
    // [`a`](b) and [`a`] → `a`
    while let Some(i) = t.find("[`") {
        let Some(j) = t[i + 2..].find("`]") else {
            break;
        };
        let end = i + 2 + j + 2;
        let inner = t[i + 1..end - 1].to_string();
        let mut stop = end;
        if t[end..].starts_with('(') {
            if let Some(k) = t[end..].find(')') {
                stop = end + k + 1;
            }
        }
        t.replace_range(i..stop, &inner);
    }
    t
}

impl Builder<'_> {
    /// `schema` with `$ref`s to struct and enum types inlined (recursively), `null` branches of
    /// optional values dropped (TOML has no null) and `format` annotations removed.
    fn plain(&mut self, schema: &Value) -> Value {
        let Value::Object(obj) = schema else {
            return schema.clone();
        };
        let mut out = Map::new();
        if let Some(Value::String(r)) = obj.get("$ref") {
            let name = r.trim_start_matches("#/$defs/");
            match self.defs.get(name) {
                Some(def) => {
                    if let Value::Object(d) = self.plain(def) {
                        out = d;
                    }
                }
                None => self.problems.push(format!("unresolved reference {r}")),
            }
        }
        for (k, v) in obj {
            match k.as_str() {
                "$ref" | "format" => {}
                "description" => {
                    if let Value::String(s) = v {
                        out.insert(k.clone(), json!(tidy_doc(s)));
                    }
                }
                "type" => {
                    // ["string", "null"] → "string"
                    let t = match v {
                        Value::Array(a) => {
                            let kept: Vec<&Value> =
                                a.iter().filter(|x| x.as_str() != Some("null")).collect();
                            if kept.len() == 1 {
                                kept[0].clone()
                            } else {
                                Value::Array(kept.into_iter().cloned().collect())
                            }
                        }
                        _ => v.clone(),
                    };
                    out.insert(k.clone(), t);
                }
                "anyOf" | "oneOf" => {
                    let branches: Vec<Value> = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                                .map(|b| self.plain(b))
                                .collect()
                        })
                        .unwrap_or_default();
                    if branches.len() == 1 && !is_param_ref(schema) {
                        // `Option<T>`: the value itself.
                        if let Value::Object(inner) = &branches[0] {
                            for (ik, iv) in inner {
                                out.entry(ik.clone()).or_insert_with(|| iv.clone());
                            }
                        }
                    } else {
                        out.insert(k.clone(), Value::Array(branches));
                    }
                }
                "properties" => {
                    let props: Map<String, Value> = v
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(pk, pv)| (pk.clone(), self.plain(pv)))
                                .collect()
                        })
                        .unwrap_or_default();
                    out.insert(k.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" if v.is_object() => {
                    let x = self.plain(v);
                    out.insert(k.clone(), x);
                }
                "prefixItems" | "allOf" if v.is_array() => {
                    // Tuples (`[month, value]` points): each element's schema.
                    let x: Vec<Value> = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| self.plain(e))
                        .collect();
                    out.insert(k.clone(), Value::Array(x));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// The file schema of the value at `path` (as written in the file), given its raw schema
    /// and its default (`None`: a value with no default, e.g. a key of a new track).
    fn node(&mut self, schema: &Value, path: &[String], default: Option<&Value>) -> Value {
        // An optional parameter (a gate condition) is one where the validator gives it a range
        // (an event's `value` is checked against its address instead).
        if is_param_ref(schema)
            || (is_optional_param_ref(schema) && self.bounds.contains_key(&dotted(path)))
        {
            let description = schema.get("description").and_then(Value::as_str);
            return self.param(path, description, default);
        }
        // Keep a property's own description over its type's.
        let own_description = schema.get("description").cloned();
        let mut s = match schema.get("$ref") {
            Some(_) => {
                let mut r = schema.clone();
                if let Some(o) = r.as_object_mut() {
                    o.shift_remove("description");
                }
                let mut p = self.plain(&r);
                if let (Some(Value::String(d)), Some(o)) = (&own_description, p.as_object_mut()) {
                    o.insert("description".into(), json!(tidy_doc(d)));
                }
                p
            }
            None => self.plain(schema),
        };
        let Some(obj) = s.as_object_mut() else {
            return s;
        };
        let key = dotted(path);
        if let Some(Value::Object(raw_props)) = schema_props(schema, self.defs) {
            // A table with fixed keys (a struct).
            let mut props = Map::new();
            let default_obj = default.and_then(Value::as_object);
            for (k, raw) in &raw_props {
                let mut p = path.to_vec();
                p.push(k.clone());
                let d = default_obj.and_then(|d| d.get(k));
                props.insert(k.clone(), self.node(raw, &p, d));
            }
            obj.insert("properties".into(), Value::Object(props));
            // Only the keys without a default are required (those of a new entity).
            if let Some(d) = default_obj {
                let required: Vec<Value> = raw_props
                    .keys()
                    .filter(|k| !d.contains_key(*k) && !optional_in_type(schema, self.defs, k))
                    .map(|k| json!(k))
                    .collect();
                if required.is_empty() {
                    obj.shift_remove("required");
                } else {
                    obj.insert("required".into(), Value::Array(required));
                }
            }
            obj.shift_remove("default");
        } else if let Some(value_schema) = map_values(schema, self.defs) {
            self.map(obj, &value_schema, path, default);
        } else if let Some(items) = array_items(schema, self.defs) {
            self.array(obj, &items, path, default);
        } else if let Some(d) = default {
            obj.insert("default".into(), d.clone());
        }
        if !obj.contains_key("description") && !path.is_empty() {
            self.problems.push(format!("`{key}` has no description"));
        }
        s
    }

    /// [`Self::node`] for an element of a map or an array (`container`), which describes the
    /// element when its type does not.
    fn node_in(
        &mut self,
        schema: &Value,
        path: &[String],
        default: Option<&Value>,
        container: &Map<String, Value>,
    ) -> Value {
        let mut s = schema.clone();
        let own = s.get("description").is_some()
            || resolved(schema, self.defs).get("description").is_some();
        if let (false, Some(d), Some(o)) = (own, container.get("description"), s.as_object_mut()) {
            o.insert("description".into(), d.clone());
        }
        self.node(&s, path, default)
    }

    /// A numeric parameter: a number in its range, or a distribution table.
    fn param(
        &mut self,
        path: &[String],
        description: Option<&str>,
        default: Option<&Value>,
    ) -> Value {
        let key = dotted(path);
        let mut number = Map::new();
        number.insert("type".into(), json!("number"));
        match self.bounds.get(&key) {
            Some(&(bound, whole)) => {
                range_keywords(bound, &mut number);
                if whole {
                    number.insert("multipleOf".into(), json!(1));
                }
            }
            None => self.problems.push(format!(
                "parameter `{key}` has no range (not visited by `VisitParams`)"
            )),
        }
        let mut out = Map::new();
        match description {
            Some(d) => {
                out.insert("description".into(), json!(tidy_doc(d)));
            }
            None => self.problems.push(format!("`{key}` has no description")),
        }
        out.insert(
            "anyOf".into(),
            json!([Value::Object(number), { "$ref": DISTRIBUTION_REF }]),
        );
        if let Some(d) = default {
            out.insert("default".into(), d.clone());
        }
        Value::Object(out)
    }

    /// A table with free keys: the default keys as properties (each with its defaults) and
    /// new keys through `additionalProperties` (with the defaults a new entry gets).
    fn map(
        &mut self,
        obj: &mut Map<String, Value>,
        value_schema: &Value,
        path: &[String],
        default: Option<&Value>,
    ) {
        let key = dotted(path);
        let mut props = Map::new();
        if let Some(Value::Object(d)) = default {
            for (k, v) in d {
                let mut p = path.to_vec();
                p.push(k.clone());
                let mut child = self.node_in(value_schema, &p, Some(v), obj);
                if key == "paths" {
                    // `base` only applies to new paths.
                    if let Some(Value::Object(cp)) = child.get_mut("properties") {
                        cp.shift_remove("base");
                    }
                }
                props.insert(k.clone(), child);
            }
        }
        // A new key: bounds of a template entry, and the defaults the loader gives it.
        let segs: Vec<&str> = path.iter().map(String::as_str).collect();
        let (template, new_default): (Vec<String>, Option<Value>) = match segs.as_slice() {
            ["tracks"] => (
                vec!["tracks".into(), self.first_key(&["tracks"])],
                serde_json::to_value(track_template()).ok(),
            ),
            ["paths"] => (
                vec!["paths".into(), "gradual".into()],
                self.defaults.pointer("/paths/gradual").cloned(),
            ),
            ["paths", _, "gates"] => (
                vec![
                    "paths".into(),
                    "gradual".into(),
                    "gates".into(),
                    self.first_key(&["paths", "gradual", "gates"]),
                ],
                None,
            ),
            _ => {
                let mut p = path.to_vec();
                p.push("*".into());
                (p, None)
            }
        };
        let mut additional = self.node_in(value_schema, &template, new_default.as_ref(), obj);
        if key == "paths" {
            if let Some(Value::Object(ap)) = additional.get_mut("properties") {
                if let Some(Value::Object(base)) = ap.get_mut("base") {
                    base.insert("default".into(), json!("gradual"));
                }
            }
        }
        if key == "scenario.score" {
            // The keys are the model's outcomes, described where they are defined.
            for o in crate::model::outcomes::OUTCOMES {
                props.insert(
                    o.key.to_string(),
                    json!({
                        "type": "number",
                        "description": format!("Weight of outcome `{}` in the score: {}", o.key, o.description),
                    }),
                );
            }
            obj.insert("properties".into(), Value::Object(props));
            obj.insert("additionalProperties".into(), json!(false));
            if let Some(d) = default {
                obj.insert("default".into(), d.clone());
            }
            return;
        }
        if !props.is_empty() {
            obj.insert("properties".into(), Value::Object(props));
        }
        // Small maps of values (targets, expectations, score) show their default whole.
        let scalar_values = additional.get("properties").is_none();
        if let (true, Some(d)) = (scalar_values, default) {
            obj.insert("default".into(), d.clone());
        }
        obj.insert("additionalProperties".into(), additional);
    }

    /// An array: the schema of its items (with the defaults the loader gives a new item) and
    /// its default whole.
    fn array(
        &mut self,
        obj: &mut Map<String, Value>,
        items: &Value,
        path: &[String],
        default: Option<&Value>,
    ) {
        let key = dotted(path);
        let item = if is_param_ref(items) {
            // A fixed row of parameters (`world.nk.transition.*`): every element has the same
            // range; the schema states that of the first.
            let mut p = path.to_vec();
            p.push("0".into());
            let n = obj.get("maxItems").and_then(Value::as_u64).unwrap_or(1);
            let first = self.bounds.get(&dotted(&p)).copied();
            for i in 1..n {
                let mut q = path.to_vec();
                q.push(i.to_string());
                if self.bounds.get(&dotted(&q)).copied() != first {
                    self.problems
                        .push(format!("the elements of `{key}` have different ranges"));
                }
            }
            let description = obj
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            self.param(&p, description.as_deref(), None)
        } else if key == "history.issues" {
            let first = self
                .defaults
                .pointer("/history/issues/0/key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let p = vec!["history".into(), "issues".into(), first];
            let template = serde_json::to_value(issue_template()).ok();
            self.node_in(items, &p, template.as_ref(), obj)
        } else {
            let mut p = path.to_vec();
            p.push("*".into());
            self.node_in(items, &p, None, obj)
        };
        obj.insert("items".into(), item);
        if let Some(d) = default {
            obj.insert("default".into(), d.clone());
        }
    }

    /// The first key of the default map at `path` (a template entry).
    fn first_key(&self, path: &[&str]) -> String {
        let pointer: String = path.iter().map(|s| format!("/{s}")).collect();
        self.defaults
            .pointer(&pointer)
            .and_then(Value::as_object)
            .and_then(|m| m.keys().next().cloned())
            .unwrap_or_default()
    }
}

fn is_param_ref(schema: &Value) -> bool {
    schema.get("$ref").and_then(Value::as_str) == Some("#/$defs/Param")
}

/// An `Option<Param>` (a parameter a table may leave out, e.g. a gate condition).
fn is_optional_param_ref(schema: &Value) -> bool {
    schema
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.len() == 2
                && a.iter().any(is_param_ref)
                && a.iter().any(|b| b.get("type") == Some(&json!("null")))
        })
}

/// The raw schema's definition (following a `$ref`).
fn resolved<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => defs
            .get(r.trim_start_matches("#/$defs/"))
            .map(|d| resolved(d, defs))
            .unwrap_or(schema),
        None => match schema.get("anyOf").and_then(Value::as_array) {
            // Option<T>: the T branch.
            Some(a) if a.len() == 2 && a.iter().any(|b| b.get("type") == Some(&json!("null"))) => {
                let t = a
                    .iter()
                    .find(|b| b.get("type") != Some(&json!("null")))
                    .unwrap_or(schema);
                resolved(t, defs)
            }
            _ => schema,
        },
    }
}

fn schema_props(schema: &Value, defs: &Map<String, Value>) -> Option<Value> {
    resolved(schema, defs).get("properties").cloned()
}

fn map_values(schema: &Value, defs: &Map<String, Value>) -> Option<Value> {
    resolved(schema, defs)
        .get("additionalProperties")
        .filter(|v| v.is_object())
        .cloned()
}

fn array_items(schema: &Value, defs: &Map<String, Value>) -> Option<Value> {
    resolved(schema, defs)
        .get("items")
        .filter(|v| v.is_object())
        .cloned()
}

/// Whether the type itself makes `key` optional (`#[serde(default)]`).
fn optional_in_type(schema: &Value, defs: &Map<String, Value>, key: &str) -> bool {
    !resolved(schema, defs)
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(key)))
}

/// `minimum` / `maximum` / `exclusiveMinimum` of a bound.
pub fn range_keywords(bound: Bound, out: &mut Map<String, Value>) {
    let (lo, hi) = bound.limits();
    if bound == Bound::Positive {
        out.insert("exclusiveMinimum".into(), json!(0.0));
    } else if lo.is_finite() && lo > f64::MIN {
        out.insert("minimum".into(), json!(lo));
    }
    if hi.is_finite() && hi < f64::MAX {
        out.insert("maximum".into(), json!(hi));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_become_plain_descriptions() {
        assert_eq!(
            tidy_doc(
                "First line\nsecond line.\n\nSee [`super::sweep`] and [`Bound`](super::Bound)."
            ),
            "First line second line.\n\nSee `super::sweep` and `Bound`."
        );
    }

    #[test]
    fn ranges_follow_bounds() {
        let kw = |b| {
            let mut m = Map::new();
            range_keywords(b, &mut m);
            Value::Object(m)
        };
        assert_eq!(kw(Bound::Unit), json!({ "minimum": 0.0, "maximum": 1.0 }));
        assert_eq!(kw(Bound::Positive), json!({ "exclusiveMinimum": 0.0 }));
        assert_eq!(kw(Bound::Any), json!({}));
        assert_eq!(kw(Bound::Range(1.0, f64::MAX)), json!({ "minimum": 1.0 }));
    }
}
