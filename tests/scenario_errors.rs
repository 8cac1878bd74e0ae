//! Scenario files with mistakes of every kind: each error names the file, line, column, key,
//! what was expected and, for a misspelt name, the nearest valid one. Also: what a short file
//! loads to (defaults, overrides, new paths from a base) and that `to_toml` round-trips.

use trisim::scenario::param::p;
use trisim::scenario::*;

const FILE: &str = "my-scenario.toml";

fn errors(text: &str) -> Vec<Diagnostic> {
    match load_str(text, FILE) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => {
            assert!(!e.diagnostics.is_empty());
            for d in &e.diagnostics {
                assert_eq!(d.file, FILE);
            }
            e.diagnostics
        }
    }
}

/// The only error of `text`.
fn error(text: &str) -> Diagnostic {
    let mut all = errors(text);
    assert_eq!(all.len(), 1, "expected one error, got {all:#?}");
    all.remove(0)
}

fn ok(text: &str) -> Scenario {
    load_str(text, FILE).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts file location, key and message words of a diagnostic.
#[track_caller]
fn check(d: &Diagnostic, line: usize, column: usize, key: Option<&str>, words: &[&str]) {
    assert_eq!(
        (d.line, d.column),
        (Some(line), Some(column)),
        "location of {d:#?}"
    );
    assert_eq!(d.key.as_deref(), key, "key of {d:#?}");
    for w in words {
        assert!(
            d.message.contains(w),
            "`{w}` not in message {:?}",
            d.message
        );
    }
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let d = error("[scenario]\nname = \"x\"\nhorizon_months = = 12\n");
    check(&d, 3, 18, None, &["invalid TOML"]);
    let d = error("[scenario]\nname = baseline\n");
    check(&d, 2, 8, None, &["invalid TOML", "quoted"]);
    assert_eq!(
        d.hint.as_deref(),
        Some("text values need quotes: name = \"baseline\"")
    );
    let d = error("[scenario\n");
    check(&d, 1, 10, None, &["invalid TOML"]);
    let d = error("[scenario]\nstart = 2023-04\n");
    check(&d, 2, 9, None, &["invalid TOML"]);
    assert_eq!(
        d.hint.as_deref(),
        Some("months are text in quotes: start = \"2023-04\"")
    );
    let d = error("[scenario]\npaths = [gradual, hasty]\n");
    check(&d, 2, 10, None, &["invalid TOML"]);
    assert_eq!(
        d.hint.as_deref(),
        Some("text values need quotes: \"gradual\"")
    );
    let d = error("[scenario]\nseed = 1\n\n[scenario]\n");
    check(&d, 4, 2, None, &["duplicate key"]);
}

#[test]
fn unknown_key_names_the_nearest_key() {
    let d = error("# Seoul\n[actors.seoul]\napproval = 0.4\nfavourabilty = 0.3\n");
    check(
        &d,
        4,
        1,
        Some("actors.seoul.favourabilty"),
        &["unknown key `favourabilty`", "[actors.seoul]"],
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `favourability`?"));
    assert!(
        d.notes[0].contains("`favourability_target`"),
        "{:?}",
        d.notes
    );

    let d = error("[actor.seoul]\napproval = 0.4\n");
    check(
        &d,
        1,
        2,
        Some("actor"),
        &["unknown key `actor`", "top level"],
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `actors`?"));

    // Dotted keys are located too.
    let d = error("world.china.assertivenes = 1.2\n");
    check(
        &d,
        1,
        13,
        Some("world.china.assertivenes"),
        &["[world.china]"],
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `assertiveness`?"));
}

#[test]
fn wrong_type_says_what_was_expected() {
    let d = error("[scenario]\nreplications = \"many\"\n");
    check(
        &d,
        2,
        16,
        Some("scenario.replications"),
        &["wrong type", "whole number", "found string \"many\""],
    );
    let d = error("[actors.tokyo]\napproval = true\n");
    check(
        &d,
        2,
        12,
        Some("actors.tokyo.approval"),
        &["expected a number or a distribution table", "found boolean"],
    );
    let d = error("[world]\ncha = \"classik\"\n");
    check(
        &d,
        2,
        7,
        Some("world.cha"),
        &["unknown value \"classik\"", "`revised`"],
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `classic`?"));
    // A wrong type does not hide the other errors of the file.
    let all = errors("[scenario]\npaths = [\"gradual\", 3]\nreplications = 0\n");
    let keys: Vec<_> = all.iter().filter_map(|d| d.key.clone()).collect();
    assert_eq!(
        keys,
        ["scenario.paths[1]", "scenario.replications"],
        "{all:#?}"
    );
    check(
        &all[0],
        2,
        21,
        Some("scenario.paths[1]"),
        &["expected a string, found integer `3`"],
    );
    let d = error("[scenario]\nstart = \"April 2023\"\n");
    check(&d, 2, 9, Some("scenario.start"), &["YYYY-MM"]);
}

#[test]
fn distribution_where_a_single_value_is_needed() {
    let d = error("[scenario]\nhorizon_months = { dist = \"uniform\", low = 12, high = 24 }\n");
    check(
        &d,
        2,
        18,
        Some("scenario.horizon_months"),
        &["a distribution is not allowed here", "whole number"],
    );
}

#[test]
fn probability_outside_unit_interval() {
    let d = error("[world.us]\np_switch = 1.2\n");
    check(
        &d,
        2,
        12,
        Some("world.us.p_switch"),
        &["1.2 is outside the valid range [0, 1]"],
    );
}

#[test]
fn negative_rate_is_rejected() {
    let d =
        error("[[history.issues]]\nkey = \"a\"\nname = \"A\"\nsalience = 0.5\nhazard = -0.01\n");
    check(
        &d,
        5,
        10,
        Some("history.issues[0].hazard"),
        &["-0.01 is outside the valid range [0, 1]"],
    );
    let d = error("[world.nk.surge]\nmean = -3\n");
    check(
        &d,
        2,
        8,
        Some("world.nk.surge.mean"),
        &["-3 is outside the valid range [0, ∞)"],
    );
}

#[test]
fn zero_dispersion_has_a_readable_range() {
    let d = error("[world.nk.surge]\ndispersion = 0\n");
    check(
        &d,
        2,
        14,
        Some("world.nk.surge.dispersion"),
        &["0 is outside the valid range (0, ∞) (a positive number)"],
    );
    assert!(d.message.len() < 100, "{}", d.message);
    assert!(!d.message.contains("179769"), "{}", d.message);
}

#[test]
fn nan_and_infinity_are_rejected() {
    let d = error("[relations]\ntrust_kr_jp = nan\n");
    check(&d, 2, 15, Some("relations.trust_kr_jp"), &["finite", "NaN"]);
    let d = error("[world.elections]\nc0 = -inf\n");
    check(&d, 2, 6, Some("world.elections.c0"), &["finite"]);
}

#[test]
fn bad_distribution_parameters() {
    let d =
        error("[actors.seoul]\nfavourability = { dist = \"uniform\", low = 0.4, high = 0.2 }\n");
    check(
        &d,
        2,
        17,
        Some("actors.seoul.favourability"),
        &["low <= high", "low = 0.4, high = 0.2"],
    );
    let d =
        error("[actors.seoul]\nfavourability = { dist = \"unifrom\", low = 0.2, high = 0.4 }\n");
    check(
        &d,
        2,
        26,
        Some("actors.seoul.favourability.dist"),
        &["unknown distribution \"unifrom\"", "`lognormal`"],
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `uniform`?"));
    let d = error("[world.china]\nh0 = { dist = \"normal\", mean = 0.01 }\n");
    check(
        &d,
        2,
        6,
        Some("world.china.h0"),
        &[
            "`normal` distribution needs `mean` and `sd`",
            "`sd` is missing",
        ],
    );
    let d = error("[world.china]\nh0 = { dist = \"beta\", alpha = 0, beta = 2 }\n");
    check(&d, 2, 6, Some("world.china.h0"), &["alpha > 0"]);
    // Mostly outside the valid range: truncation would distort it.
    let d = error("[world.us]\np_switch = { dist = \"uniform\", low = 0.9, high = 4.9 }\n");
    check(
        &d,
        2,
        12,
        Some("world.us.p_switch"),
        &["only 2.5%", "valid range [0, 1]"],
    );
    // A support entirely outside the valid range.
    let d = error("[relations]\ntrust_kr_us = { dist = \"uniform\", low = 1.5, high = 2 }\n");
    check(
        &d,
        2,
        15,
        Some("relations.trust_kr_us"),
        &["outside the valid range"],
    );
}

#[test]
fn the_did_you_mean_helper_is_public() {
    use trisim::scenario::validate::{did_you_mean, nearest};
    assert_eq!(nearest("hastey", ["gradual", "hasty"]), Some("hasty"));
    assert_eq!(
        did_you_mean("paralel", ["gradual", "parallel"]).as_deref(),
        Some("did you mean `parallel`?")
    );
    assert_eq!(did_you_mean("zzz", ["gradual", "parallel"]), None);
}

#[test]
fn unknown_paths_have_hints() {
    let all =
        errors("[scenario]\nreference_path = \"gradul\"\npaths = [\"gradual\", \"hastty\"]\n");
    assert_eq!(all.len(), 2, "{all:#?}");
    check(
        &all[0],
        2,
        18,
        Some("scenario.reference_path"),
        &["unknown path `gradul`", "`status_quo`"],
    );
    assert_eq!(all[0].hint.as_deref(), Some("did you mean `gradual`?"));
    check(
        &all[1],
        3,
        21,
        Some("scenario.paths[1]"),
        &["unknown path `hastty`"],
    );
    assert_eq!(all[1].hint.as_deref(), Some("did you mean `hasty`?"));

    let d = error("[paths.careful]\nbase = \"gradul\"\n");
    check(
        &d,
        2,
        8,
        Some("paths.careful.base"),
        &["unknown base path `gradul`"],
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `gradual`?"));

    let d = error("[scenario]\npaths = [\"hasty\"]\n");
    check(
        &d,
        2,
        9,
        Some("scenario.reference_path"),
        &["not among the paths to run"],
    );
    assert!(d.notes[0].contains("`scenario.paths`"), "{:?}", d.notes);
}

#[test]
fn unknown_tracks_have_hints() {
    let all = errors(
        "[paths.gradual.gates.regionl]\ntrust = 0.5\nfavourability = 0.3\n\
         [paths.hasty]\ntargets = { exercise = 2 }\n\
         [tracks.institutions]\nrequires = [{ track = \"sumitry\", rung = 3 }]\n\
         [[events]]\nmonth = \"2024-01\"\nkind = \"summit\"\ntrack = \"inteligence\"\n",
    );
    assert_eq!(all.len(), 4, "{all:#?}");
    check(
        &all[0],
        1,
        22,
        Some("paths.gradual.gates.regionl"),
        &["unknown track `regionl`"],
    );
    assert_eq!(all[0].hint.as_deref(), Some("did you mean `regional`?"));
    check(
        &all[1],
        5,
        13,
        Some("paths.hasty.targets.exercise"),
        &["unknown track `exercise`"],
    );
    assert_eq!(all[1].hint.as_deref(), Some("did you mean `exercises`?"));
    check(
        &all[2],
        7,
        23,
        Some("tracks.institutions.requires[0].track"),
        &["unknown track `sumitry`"],
    );
    assert_eq!(all[2].hint.as_deref(), Some("did you mean `summitry`?"));
    check(
        &all[3],
        11,
        9,
        Some("events[0].track"),
        &["unknown track `inteligence`"],
    );
    assert_eq!(all[3].hint.as_deref(), Some("did you mean `intelligence`?"));
}

#[test]
fn prerequisite_cycle_is_reported_with_its_chain() {
    let d = error("[tracks.summitry]\nrequires = [{ track = \"institutions\", rung = 1 }]\n");
    check(
        &d,
        2,
        23,
        Some("tracks.summitry.requires[0].track"),
        &["prerequisite cycle: summitry → institutions → summitry"],
    );
    // A longer cycle through new tracks.
    let new = |k: &str, req: &str| {
        format!(
            "[tracks.{k}]\nname = \"{k}\"\nrungs = 1\nsigma = 0.1\nchi = 0.1\nlambda = 0.1\nb = 0.1\nb_cn = 0.1\nw = 1\nrequires = [{{ track = \"{req}\", rung = 1 }}]\n"
        )
    };
    let text = new("a", "b") + &new("b", "c") + &new("c", "a");
    let d = error(&text);
    assert!(d.message.contains("a → b → c → a"), "{}", d.message);
}

#[test]
fn zero_replications_and_zero_horizon() {
    let all = errors("[scenario]\nreplications = 0\nhorizon_months = 0\n");
    assert_eq!(all.len(), 2, "{all:#?}");
    check(
        &all[0],
        2,
        16,
        Some("scenario.replications"),
        &["at least 1"],
    );
    check(
        &all[1],
        3,
        18,
        Some("scenario.horizon_months"),
        &["at least 1"],
    );
    let d = error("[scenario]\nreplications = -5\n");
    check(
        &d,
        2,
        16,
        Some("scenario.replications"),
        &["whole number", "-5"],
    );
}

#[test]
fn event_outside_the_horizon() {
    let text = "[scenario]\nstart = \"2023-04\"\nhorizon_months = 24\n\
                [[events]]\nmonth = \"2025-04\"\nkind = \"nuclear_test\"\n\
                [[events]]\nmonth = \"2023-03\"\nkind = \"china_coercion\"\n\
                [[events]]\nmonth = \"2025-03\"\nkind = \"nuclear_test\"\n";
    let all = errors(text);
    assert_eq!(all.len(), 2, "{all:#?}");
    check(
        &all[0],
        5,
        9,
        Some("events[0].month"),
        &["2025-04 is outside the simulated months 2023-04 to 2025-03"],
    );
    check(&all[1], 8, 9, Some("events[1].month"), &["2023-03"]);
}

#[test]
fn events_need_the_fields_of_their_kind() {
    let all = errors(
        "[[events]]\nmonth = \"2024-03\"\nkind = \"kr_election\"\n\
         [[events]]\nmonth = \"2024-03\"\nkind = \"jp_turnover\"\ncamp = \"progressive\"\n\
         [[events]]\nmonth = \"2024-03\"\nkind = \"flare_up\"\nissue = \"textbook\"\n",
    );
    assert_eq!(all.len(), 3, "{all:#?}");
    check(
        &all[0],
        1,
        1,
        Some("events[0]"),
        &["`kr_election` event needs `camp`"],
    );
    check(&all[1], 7, 8, Some("events[1].camp"), &["Japanese camp"]);
    check(
        &all[2],
        11,
        9,
        Some("events[2].issue"),
        &["unknown history issue `textbook`"],
    );
    assert_eq!(all[2].hint.as_deref(), Some("did you mean `textbooks`?"));
}

#[test]
fn every_error_is_reported_together() {
    let text = "\
[scenario]
replications = 0
reference_path = \"gradul\"

[actors.seoul]
favourabilty = 0.3
approval = 1.5

[world.us]
p_switch = \"half\"

[tracks.summitry]
rungs = 0
";
    let e = load_str(text, FILE).unwrap_err();
    let found: Vec<_> = e
        .diagnostics
        .iter()
        .map(|d| (d.line.unwrap_or(0), d.key.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "scenario.replications".to_string()),
            (3, "scenario.reference_path".to_string()),
            (6, "actors.seoul.favourabilty".to_string()),
            (7, "actors.seoul.approval".to_string()),
            (10, "world.us.p_switch".to_string()),
            (13, "tracks.summitry.rungs".to_string()),
        ],
        "{e}"
    );
    // Rendered like a compiler: one block per error, then a count.
    let shown = e.to_string();
    assert_eq!(shown.matches("\nerror: ").count() + 1, 7, "{shown}");
    assert!(shown.starts_with("error: replications must be at least 1, got 0\n --> my-scenario.toml:2:16\n  |\n2 | replications = 0\n  |                ^\n  = key: scenario.replications\n"), "{shown}");
    assert!(
        shown.contains("  = help: did you mean `favourability`?\n"),
        "{shown}"
    );
    assert!(
        shown.ends_with("error: 6 problems in scenario `my-scenario.toml`"),
        "{shown}"
    );
}

#[test]
fn minimal_scenario_loads_with_defaults() {
    let s = ok("[scenario]\nname = \"mini\"\nreplications = 200\n");
    let d = Scenario::default();
    assert_eq!(s.scenario.name, "mini");
    assert_eq!(s.scenario.replications, 200);
    assert_eq!(s.scenario.horizon_months, d.scenario.horizon_months);
    assert_eq!(s.world, d.world);
    assert_eq!(s.tracks, d.tracks);
    assert_eq!(s.paths, d.paths);
    assert_eq!(s.history, d.history);
    let bundled: Vec<_> = s.paths.keys().map(String::as_str).collect();
    assert_eq!(
        bundled,
        [
            "gradual",
            "hasty",
            "hasty_open",
            "parallel",
            "history_first",
            "status_quo"
        ]
    );
}

#[test]
fn overriding_one_field_of_a_track_keeps_the_others() {
    let s = ok("[tracks.exercises]\nsigma = 0.9\n");
    let d = Scenario::default();
    let mut expected = d.tracks["exercises"].clone();
    expected.sigma = p(0.9);
    assert_eq!(s.tracks["exercises"], expected);
    assert_ne!(d.tracks["exercises"].sigma, p(0.9));
    // Nested tables merge too: one prior changed, the other three kept.
    let s = ok("[tracks.regional.prior]\nprogressive = -0.5\n");
    assert_eq!(s.tracks["regional"].prior.progressive, p(-0.5));
    assert_eq!(
        s.tracks["regional"].prior.conservative,
        d.tracks["regional"].prior.conservative
    );
}

#[test]
fn new_path_inherits_from_its_base() {
    let s = ok("[paths.brisk]\nbase = \"hasty\"\ntransparency = 0.6\n");
    let hasty = &s.paths["hasty"];
    let brisk = &s.paths["brisk"];
    assert_eq!(brisk.transparency, p(0.6));
    assert_eq!(brisk.base.as_deref(), Some("hasty"));
    assert_eq!(brisk.sequence, hasty.sequence);
    assert_eq!(brisk.min_dwell_months, hasty.min_dwell_months);
    assert_eq!(brisk.legislate, hasty.legislate);
    assert_eq!(brisk.gates, hasty.gates);
    assert_ne!(brisk.legislate, s.paths["gradual"].legislate);
    // Without `base`, a new path starts from `gradual`.
    let s = ok("[paths.slow]\nmin_dwell_months = 12\n");
    let mut expected = s.paths["gradual"].clone();
    expected.min_dwell_months = p(12.0);
    assert_eq!(s.paths["slow"], expected);
}

#[test]
fn errors_in_a_base_path_are_reported_once_where_written() {
    let all = errors(
        "[paths.gradual]\ntransparancy = 0.5\nlegislate = -1\n[paths.mine]\nmin_dwell_months = 3\n[paths.mine2]\nbase = \"mine\"\n",
    );
    let keys: Vec<_> = all.iter().filter_map(|d| d.key.clone()).collect();
    assert_eq!(
        keys,
        ["paths.gradual.transparancy", "paths.gradual.legislate"],
        "{all:#?}"
    );
    assert_eq!(all[0].hint.as_deref(), Some("did you mean `transparency`?"));
}

#[test]
fn new_track_needs_its_required_keys() {
    let d = error("[tracks.coast_guard]\nname = \"Coast guard\"\nrungs = 2\n");
    check(
        &d,
        1,
        9,
        Some("tracks.coast_guard"),
        &["new track `coast_guard` is missing keys `sigma`, `chi`, `lambda`, `b`, `b_cn` and `w`"],
    );
    let d = error("[[history.issues]]\nkey = \"sado\"\nname = \"Sado mine\"\n");
    check(
        &d,
        1,
        1,
        Some("history.issues[0]"),
        &["history issue 1 is missing keys `salience` and `hazard`"],
    );
    let d = error("[scenario]\nhorizon_months = 24\n[[events]]\nkind = \"nuclear_test\"\n");
    check(
        &d,
        3,
        1,
        Some("events[0]"),
        &["event 1 is missing key `month`"],
    );
}

#[test]
fn missing_keys_do_not_hide_the_other_errors_of_the_entry() {
    // A history issue without `name`: its bad salience and hazard are still reported.
    let all = errors(
        "[[history.issues]]\nkey = \"sado\"\nhazard = -0.2\nsalience = 1.5\n\
         [[history.issues]]\nname = \"Dokdo\"\nsalience = 0.4\nhazard = 0.01\n",
    );
    assert_eq!(all.len(), 4, "{all:#?}");
    check(
        &all[0],
        1,
        1,
        Some("history.issues[0]"),
        &["history issue 1 is missing key `name`"],
    );
    check(
        &all[1],
        3,
        10,
        Some("history.issues[0].hazard"),
        &["-0.2 is outside the valid range [0, 1]"],
    );
    check(
        &all[2],
        4,
        12,
        Some("history.issues[0].salience"),
        &["1.5 is outside the valid range [0, 1]"],
    );
    // The placeholder key of the second issue is not reported as an invalid key.
    check(
        &all[3],
        5,
        1,
        Some("history.issues[1]"),
        &["history issue 2 is missing key `key`"],
    );

    // A new track missing most keys: `rungs = 0` and `w = -1` are still reported.
    let all = errors("[tracks.coast_guard]\nname = \"Coast guard\"\nrungs = 0\nw = -1\n");
    assert_eq!(all.len(), 3, "{all:#?}");
    check(
        &all[0],
        1,
        9,
        Some("tracks.coast_guard"),
        &["new track `coast_guard` is missing keys `sigma`, `chi`, `lambda`, `b` and `b_cn`"],
    );
    check(
        &all[1],
        3,
        9,
        Some("tracks.coast_guard.rungs"),
        &["at least 1 rung", "rungs = 0"],
    );
    check(
        &all[2],
        4,
        5,
        Some("tracks.coast_guard.w"),
        &["-1 is outside the valid range [0, ∞)"],
    );

    // Problems that only compare with a placeholder are not reported: `initial = 5` is checked
    // against a `rungs` the file does not give.
    let d = error(
        "[tracks.coast_guard]\nname = \"Coast guard\"\ninitial = 5\nsigma = 0.1\nchi = 0.2\n\
         lambda = 0.03\nb = 0.2\nb_cn = 0.3\nw = 0.5\n",
    );
    check(
        &d,
        1,
        9,
        Some("tracks.coast_guard"),
        &["missing key `rungs`"],
    );
    // A wrong type in an entry does not hide the entry's other errors either.
    let all = errors("[tracks.summitry]\nrungs = \"three\"\nw = -1\n");
    let keys: Vec<_> = all.iter().filter_map(|d| d.key.clone()).collect();
    assert_eq!(
        keys,
        ["tracks.summitry.rungs", "tracks.summitry.w"],
        "{all:#?}"
    );
}

#[test]
fn too_many_rungs_are_rejected_at_load_time() {
    let all = errors(
        "[tracks.summitry]\nrungs = 300\ninitial = 256\n[paths.hasty.targets]\nsummitry = 40\n",
    );
    let keys: Vec<_> = all.iter().filter_map(|d| d.key.clone()).collect();
    assert_eq!(
        keys,
        [
            "tracks.summitry.rungs",
            "tracks.summitry.initial",
            "paths.hasty.targets.summitry"
        ],
        "{all:#?}"
    );
    check(
        &all[0],
        2,
        9,
        Some("tracks.summitry.rungs"),
        &["at most 20 rungs", "rungs = 300"],
    );
    check(
        &all[1],
        3,
        11,
        Some("tracks.summitry.initial"),
        &["initial rung 256", "(20)"],
    );
    check(
        &all[2],
        5,
        12,
        Some("paths.hasty.targets.summitry"),
        &["target rung 40", "(20)"],
    );
    let s = ok("[tracks.summitry]\nrungs = 20\ninitial = 20\n");
    assert_eq!(s.tracks["summitry"].rungs, 20);
}

#[test]
fn effective_scenario_round_trips() {
    let s = ok(r#"
[scenario]
name = "rt"
paths = ["gradual", "brisk"]
[actors.tokyo]
favourability = { dist = "triangular", min = 0.3, mode = 0.4, max = 0.6 }
[tracks.coast_guard]
name = "Coast guard"
rungs = 2
sigma = 0.1
chi = 0.2
lambda = 0.03
b = 0.2
b_cn = { dist = "normal", mean = 0.3, sd = 0.05 }
w = 0.5
[paths.brisk]
base = "hasty"
sequence = ["coast_guard", "summitry"]
[[events]]
month = "2026-01"
kind = "kr_election"
camp = "progressive"
"#);
    let text = to_toml(&s);
    assert_eq!(
        load_str(&text, "shown.toml").unwrap_or_else(|e| panic!("{e}")),
        s
    );
    let d = Scenario::default();
    assert_eq!(load_str(&to_toml(&d), "shown.toml").unwrap(), d);
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let e = load_file(std::path::Path::new("/nonexistent/dir/x.toml")).unwrap_err();
    assert_eq!(e.diagnostics.len(), 1);
    assert!(e.diagnostics[0].message.contains("cannot read"), "{e}");
    assert_eq!(e.diagnostics[0].file, "/nonexistent/dir/x.toml");
}

#[test]
fn load_file_reads_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[scenario]\nhorizon_months = 0\n").unwrap();
    let e = load_file(&path).unwrap_err();
    assert_eq!(e.diagnostics[0].file, path.display().to_string());
    assert_eq!(e.diagnostics[0].line, Some(2));
    std::fs::write(&path, [b'a', b' ', b'=', b' ', 0xff, b'\n']).unwrap();
    let e = load_file(&path).unwrap_err();
    assert!(e.diagnostics[0].message.contains("UTF-8"), "{e}");
    assert_eq!(
        (e.diagnostics[0].line, e.diagnostics[0].column),
        (Some(1), Some(5))
    );
}

#[test]
fn whole_month_keys_take_distributions_and_reject_fractions() {
    let text = "[paths.hasty]\nmin_dwell_months = { dist = \"uniform\", low = 2, high = 8 }\n\
                max_moves_per_month = { dist = \"triangular\", min = 1, mode = 2, max = 3 }\n\
                [world.us]\ninterval_months = { dist = \"uniform\", low = 46, high = 50 }\n\
                inauguration_lag_months = { dist = \"uniform\", low = 1, high = 3 }\n\
                [world.elections]\nkr_term_months = { dist = \"normal\", mean = 60, sd = 1 }\n";
    let s = ok(text);
    assert_eq!(
        s.paths["hasty"].min_dwell_months,
        Param::Dist(Dist::Uniform {
            low: 2.0,
            high: 8.0
        })
    );
    // `to_toml` round-trips the distributions.
    assert_eq!(load_str(&to_toml(&s), "shown.toml").unwrap(), s);

    // Each replication draws its own whole numbers, and the model runs with them.
    let hasty = s.paths.get_index_of("hasty").unwrap();
    let mut dwell = std::collections::BTreeSet::new();
    let mut terms = std::collections::BTreeSet::new();
    for r in 0..40 {
        let sampled = trisim::scenario::sample::sample(&s, 11, r);
        for x in [
            sampled.paths["hasty"].min_dwell_months.get(),
            sampled.paths["hasty"].max_moves_per_month.get(),
            sampled.world.us.interval_months.get(),
            sampled.world.us.inauguration_lag_months.get(),
            sampled.world.elections.kr_term_months.get(),
        ] {
            assert!(x.is_finite() && x > 0.0, "{x}");
        }
        let model = trisim::model::Model::new(&sampled);
        let c = model.compiled();
        let d = c.paths[hasty].min_dwell;
        assert!((2..=8).contains(&d), "dwell {d}");
        assert_eq!(
            f64::from(d),
            sampled.paths["hasty"].min_dwell_months.get().round()
        );
        assert!((1..=3).contains(&c.paths[hasty].max_moves));
        assert!((46..=50).contains(&c.c.us_interval));
        assert!((1..=3).contains(&c.c.us_lag));
        dwell.insert(d);
        terms.insert(c.c.kr_term);
        if r < 3 {
            let out = model.simulate(hasty, 11, r, &mut |_| {});
            // Only the outcomes documented as "empty if none" may be NaN.
            let may_be_empty = [
                "turnover_survival",
                "settlement_quality",
                "months_to_repudiation",
                "post_turnover_drawdown",
            ]
            .map(|k| trisim::model::outcome_index(k).unwrap());
            for (i, x) in out.values.iter().enumerate() {
                assert!(
                    !x.is_nan() || may_be_empty.contains(&i),
                    "{i}: {:?}",
                    out.values
                );
            }
        }
    }
    assert!(dwell.len() >= 4, "dwell draws {dwell:?}");
    assert!(terms.len() >= 2, "term draws {terms:?}");

    // A fixed fraction of a month is rejected where it is written.
    let d = error("[paths.hasty]\nmin_dwell_months = 2.5\n");
    check(
        &d,
        2,
        20,
        Some("paths.hasty.min_dwell_months"),
        &["min_dwell_months must be a whole number of months, got 2.5"],
    );
    let d = error("[world.us]\ninterval_months = 0\n");
    check(
        &d,
        2,
        19,
        Some("world.us.interval_months"),
        &["outside the valid range [1, 240]"],
    );
    let d = error("[world.us]\ninterval_months = 24\ninauguration_lag_months = { dist = \"uniform\", low = 0, high = 24 }\n");
    check(
        &d,
        3,
        27,
        Some("world.us.inauguration_lag_months"),
        &["shorter than interval_months in every replication"],
    );
}

#[test]
fn scenario_names_take_any_printable_text_but_no_control_or_bidi_characters() {
    for name in [
        "<script>alert(1)</script>",
        "한미일 협력 (2023)",
        ".hidden & \"quoted\"",
    ] {
        let text = format!("[scenario]\nname = {}\n", toml_string(name));
        assert_eq!(ok(&text).scenario.name, name);
    }
    for name in ["tab\there", "right-to-left \u{202E}txt.exe", "   ", ""] {
        let text = format!("[scenario]\nname = {}\n", toml_string(name));
        let d = error(&text);
        check(&d, 2, 8, Some("scenario.name"), &["invalid scenario name"]);
    }
    let long = "x".repeat(101);
    let d = error(&format!("[scenario]\nname = \"{long}\"\n"));
    assert!(d.message.contains("1 to 100 characters"), "{}", d.message);
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn relative_gates_path_by_camp_and_path_schedule_load_and_report_mistakes() {
    // A new gate states only the conditions it writes; bundled gates keep theirs under a floor.
    let s = ok(
        "[paths.hasty.gates.regional]\ntrust_drop = 0.1\ncalm_months = 3\n\
         [paths.gradual.gates.regional]\ntrust = 0.4\n\
         [scenario]\npath_by_camp = { progressive = \"history_first\" }\n\
         path_schedule = [{ from = \"2025-01\", until = \"2026-01\", path = \"parallel\" }]\n\
         [paths.cons]\nbase = \"hasty\"\ncamps = [\"conservative\"]\n",
    );
    let g = &s.paths["hasty"].gates["regional"];
    assert_eq!(
        (g.trust_drop.clone(), g.calm_months.clone()),
        (Some(p(0.1)), Some(p(3.0)))
    );
    assert_eq!(
        (g.favourability_margin.clone(), g.backlash_share.clone()),
        (None, None)
    );
    assert_eq!(g.trust, p(0.0));
    let r = &s.paths["gradual"].gates["regional"];
    assert_eq!(
        (r.trust.clone(), r.trust_drop.clone()),
        (p(0.4), Some(p(0.02)))
    );
    assert_eq!(
        s.scenario.path_by_camp.progressive.as_deref(),
        Some("history_first")
    );
    assert_eq!(s.scenario.path_schedule[0].path, "parallel");
    assert_eq!(s.paths["cons"].camps, [Camp::Conservative]);
    assert!(s.paths["hasty_open"].gates.is_empty());

    // A misspelt gate key names the nearest one.
    let d = error("[paths.gradual.gates.regional]\ntrust_drp = 0.1\n");
    assert_eq!(
        d.key.as_deref(),
        Some("paths.gradual.gates.regional.trust_drp")
    );
    assert!(
        d.hint.as_deref().unwrap_or("").contains("trust_drop"),
        "{d:#?}"
    );
    // Out of range, and not whole.
    let all =
        errors("[paths.gradual.gates.regional]\nfavourability_margin = 1.5\ncalm_months = 2.5\n");
    let keys: Vec<_> = all
        .iter()
        .map(|d| d.key.clone().unwrap_or_default())
        .collect();
    assert!(
        keys.contains(&"paths.gradual.gates.regional.favourability_margin".to_string()),
        "{all:#?}"
    );
    assert!(
        keys.contains(&"paths.gradual.gates.regional.calm_months".to_string()),
        "{all:#?}"
    );
    // Unknown paths name the nearest; a Japanese camp is refused.
    let d = error("[scenario]\npath_by_camp = { progressive = \"histry_first\" }\n");
    assert_eq!(d.key.as_deref(), Some("scenario.path_by_camp.progressive"));
    assert_eq!(d.hint.as_deref(), Some("did you mean `history_first`?"));
    let d = error("[scenario]\npath_by_camp = { mainstream = \"gradual\" }\n");
    assert!(
        d.key
            .as_deref()
            .unwrap_or("")
            .starts_with("scenario.path_by_camp"),
        "{d:#?}"
    );
    let d = error("[paths.gradual]\ncamps = [\"hawkish\"]\n");
    assert_eq!(d.key.as_deref(), Some("paths.gradual.camps[0]"));
    assert!(d.message.contains("Korean camps"), "{d:#?}");
    let all = errors(
        "[scenario]\npath_schedule = [{ from = \"2025-01\", path = \"hasti\" }, \
         { from = \"2024-01\", until = \"2023-06\", path = \"gradual\" }]\n",
    );
    let keys: Vec<_> = all
        .iter()
        .map(|d| d.key.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        keys,
        [
            "scenario.path_schedule[0].path",
            "scenario.path_schedule[1].from",
            "scenario.path_schedule[1].until"
        ],
        "{all:#?}"
    );
    assert_eq!(all[0].hint.as_deref(), Some("did you mean `hasty`?"));
}
