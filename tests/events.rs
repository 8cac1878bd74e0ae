//! Replayed events (docs/model.md §3.18): each state-setting event does what it says, from its
//! month on, and uses up the draws it replaces (common random numbers).

use trisim::model::{Diagnostics, Model, Outcome, Outcomes};
use trisim::scenario::load_str;
use trisim::scenario::sample::sample;
use trisim::scenario::Scenario;

const SEED: u64 = 77;

/// A 36-month scenario from 2023-04 (the defaults, with the rungs of 2023-04 as in
/// `scenarios/baseline.toml`) with the given extra TOML.
fn scenario(extra: &str) -> Scenario {
    let rungs = [
        ("summitry", 2),
        ("economic_security", 1),
        ("intelligence", 2),
        ("missile_warning", 1),
        ("exercises", 1),
        ("regional", 1),
    ]
    .map(|(k, r)| format!("[tracks.{k}]\ninitial = {r}\n"))
    .concat();
    let text = format!(
        "[scenario]\nname = \"events\"\nhorizon_months = 36\nseed = {SEED}\n{rungs}{extra}"
    );
    load_str(&text, "events.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// One simulated month of one replication: rungs and a few scalars.
#[derive(Clone, Debug)]
struct Month {
    rungs: Vec<u8>,
    f_kr: f64,
    f_jp: f64,
    tau_jk: f64,
    b_kr: f64,
}

struct Run {
    months: Vec<Month>,
    out: Outcomes,
    diag: Diagnostics,
    keys: Vec<String>,
}

impl Run {
    fn rung(&self, t: usize, track: &str) -> u8 {
        let k = self.keys.iter().position(|k| k == track).expect("track");
        self.months[t].rungs[k]
    }
}

fn run(s: &Scenario, path: &str, r: u64) -> Run {
    let p = s.paths.get_index_of(path).expect("path");
    let m = Model::new(&sample(s, SEED, r));
    let mut months = Vec::new();
    let (out, diag) = m.simulate_with_diagnostics(p, SEED, r, &mut |rec| {
        months.push(Month {
            rungs: rec.rungs.to_vec(),
            f_kr: rec.f_kr,
            f_jp: rec.f_jp,
            tau_jk: rec.tau_jk,
            b_kr: rec.b_kr,
        })
    });
    Run {
        months,
        out,
        diag,
        keys: m.track_keys().to_vec(),
    }
}

fn event(month: &str, body: &str) -> String {
    format!("[[events]]\nmonth = \"{month}\"\n{body}\n")
}

#[test]
fn set_rung_raises_and_lowers_from_its_month_counted_under_its_cause() {
    // status_quo proposes nothing: only the events move the ladders.
    let up = scenario(&event(
        "2023-07",
        "kind = \"set_rung\"\ntrack = \"missile_warning\"\nrung = 2",
    ));
    for r in 0..20 {
        let a = run(&up, "status_quo", r);
        assert_eq!(a.rung(2, "missile_warning"), 1, "month before");
        assert_eq!(a.rung(3, "missile_warning"), 2, "event month");
    }
    // A fall of intelligence to 0 cascades to missile_warning and exercises (prerequisite
    // intelligence >= 1), counted as rollbacks; without cascade only intelligence falls.
    let fall = |cascade: bool| {
        scenario(&event(
            "2023-07",
            &format!(
                "kind = \"set_rung\"\ntrack = \"intelligence\"\nrung = 0\ncause = \"rollback\"\ncascade = {cascade}"
            ),
        ))
    };
    let a = run(&fall(true), "status_quo", 0);
    let b = run(&fall(false), "status_quo", 0);
    let base = run(&scenario(""), "status_quo", 0);
    assert_eq!(a.rung(3, "intelligence"), 0);
    assert_eq!(a.rung(3, "missile_warning"), 0);
    assert_eq!(
        b.rung(3, "missile_warning"),
        base.rung(3, "missile_warning")
    );
    let lost_a = a.out.get(Outcome::Rollbacks) - base.out.get(Outcome::Rollbacks);
    let lost_b = b.out.get(Outcome::Rollbacks) - base.out.get(Outcome::Rollbacks);
    assert!(lost_a > lost_b && lost_b >= 1.0, "{lost_a} {lost_b}");
    // A lapse is counted as a lapse, not a rollback: summitry 2 → 1 and, by the cascade,
    // regional (prerequisite summitry >= 2) 1 → 0 (random lapses turned off).
    let lapse = scenario(&format!(
        "[world.politics]\nlapse_hazard = 0.0\n{}",
        event(
            "2023-07",
            "kind = \"set_rung\"\ntrack = \"summitry\"\nrung = 1\ncause = \"lapse\"",
        )
    ));
    let l = run(&lapse, "status_quo", 0);
    assert_eq!(l.diag.lapses, 2);
    assert_eq!(
        l.out.get(Outcome::Rollbacks),
        base.out.get(Outcome::Rollbacks)
    );
}

#[test]
fn a_scar_bars_path_proposals_for_scar_months() {
    // hasty raises intelligence whenever it can; a scarred fall keeps it down.
    let body = |scar: bool| {
        format!(
            "[world.politics]\nscar_months = 12\n{}",
            event(
                "2023-05",
                &format!(
                    "kind = \"set_rung\"\ntrack = \"exercises\"\nrung = 0\ncause = \"reversal\"\nscar = {scar}"
                )
            )
        )
    };
    let (scarred, free) = (scenario(&body(true)), scenario(&body(false)));
    let mut rose_free = 0;
    for r in 0..40 {
        let a = run(&scarred, "hasty", r);
        // 12 scar months heal by at most 2 a month (surges, nuclear tests) from month 2.
        for t in 1..=6 {
            assert_eq!(a.rung(t, "exercises"), 0, "rep {r} month {t}: scarred");
        }
        let b = run(&free, "hasty", r);
        if (1..=11).any(|t| b.rung(t, "exercises") > 0) {
            rose_free += 1;
        }
    }
    assert!(
        rose_free > 0,
        "without the scar hasty raises exercises again"
    );
}

#[test]
fn settlement_and_repudiation_change_status_backlash_and_japanese_opinion() {
    let settle = |backlash: bool| {
        scenario(&event(
            "2023-06",
            &format!(
                "kind = \"settlement\"\nissue = \"forced_labor\"\nquality = 0.3\nbacklash = {backlash}"
            ),
        ))
    };
    let (with, without) = (
        run(&settle(true), "status_quo", 3),
        run(&settle(false), "status_quo", 3),
    );
    assert_eq!(with.diag.settlements, 1);
    assert!(with.months[2].b_kr > without.months[2].b_kr + 0.05);
    assert_eq!(with.months[1].b_kr, without.months[1].b_kr);
    // A repudiation offends Japan: F_JP falls against the same world without it.
    let rep = scenario(&format!(
        "{}{}",
        event(
            "2023-06",
            "kind = \"settlement\"\nissue = \"forced_labor\"\nquality = 0.3\nbacklash = false"
        ),
        event(
            "2023-10",
            "kind = \"repudiation\"\nissue = \"forced_labor\""
        ),
    ));
    let (a, b) = (
        run(&rep, "status_quo", 3),
        run(&settle(false), "status_quo", 3),
    );
    assert_eq!(a.diag.repudiations, 1);
    assert_eq!(a.months[5].f_jp, b.months[5].f_jp);
    assert!(
        a.months[6].f_jp < b.months[6].f_jp - 0.01,
        "{} {}",
        a.months[6].f_jp,
        b.months[6].f_jp
    );
    assert!(a.months[6].tau_jk < b.months[6].tau_jk);
}

#[test]
fn a_pending_retaliation_resolves_in_its_month_and_sours_the_target_public() {
    let ret = |resolution: &str| {
        scenario(&event(
            "2023-06",
            &format!(
                "kind = \"retaliation\"\nby = \"JP\"\nissue = \"forced_labor\"\nresolves = \"2023-09\"\nresolution = \"{resolution}\""
            ),
        ))
    };
    let base = run(&scenario(""), "status_quo", 5);
    let ex = run(&ret("executed"), "status_quo", 5);
    let dr = run(&ret("dropped"), "status_quo", 5);
    assert_eq!(
        ex.rung(4, "economic_security"),
        base.rung(4, "economic_security")
    );
    assert_eq!(
        ex.rung(5, "economic_security") + 1,
        base.rung(5, "economic_security")
    );
    assert_eq!(
        dr.rung(5, "economic_security"),
        base.rung(5, "economic_security")
    );
    assert_eq!(dr.diag.linkage_dropped, 1);
    assert_eq!(
        ex.diag.linkage_retaliations,
        base.diag.linkage_retaliations + 1
    );
    // The Korean public sours at once and stays colder a year on (coercion memory).
    assert!(ex.months[5].f_kr < base.months[5].f_kr - 0.08);
    assert!(ex.months[17].f_kr < base.months[17].f_kr - 0.05);
    // The hold: Japan refuses to raise economic_security again while it holds it (a large
    // hold_value), on a path that proposes it whenever it can; without the hold it rises.
    let held = |value: f64, restore: bool| {
        let mut t = format!(
            // No Japanese PM turnover and no settlement within the run: a new camp or a
            // settlement of the issue would lift the hold.
            "[world.decisions]\nhold_value = {value}\n[world.elections]\njp_turnover_hazard = 0.0\n\
             [paths.hasty]\nmonths_to_settle = 1000\n{}",
            event("2023-06", "kind = \"retaliation\"\nby = \"JP\"\nissue = \"forced_labor\"\nstate = \"executed\"")
        );
        if restore {
            t.push_str(&event(
                "2024-04",
                "kind = \"restore\"\nby = \"JP\"\ntrack = \"economic_security\"",
            ));
        }
        scenario(&t)
    };
    let (mut rose_free, mut rose_restored) = (0, 0);
    for r in 0..40 {
        let h = run(&held(10.0, false), "hasty", r);
        let after = h.rung(2, "economic_security");
        assert!(
            (2..36).all(|t| h.rung(t, "economic_security") <= after),
            "rep {r}: held"
        );
        let f = run(&held(0.0, false), "hasty", r);
        rose_free +=
            (2..36).any(|t| f.rung(t, "economic_security") > f.rung(2, "economic_security")) as u32;
        let g = run(&held(10.0, true), "hasty", r);
        assert!((2..12).all(|t| g.rung(t, "economic_security") <= g.rung(2, "economic_security")));
        rose_restored += (12..36)
            .any(|t| g.rung(t, "economic_security") > g.rung(2, "economic_security"))
            as u32;
    }
    assert!(
        rose_free > 0 && rose_restored > 0,
        "{rose_free} {rose_restored}"
    );
}

#[test]
fn counter_threats_are_cancelled_or_executed_at_their_resolution() {
    let threat = |res: &str| {
        scenario(&event(
            "2023-06",
            &format!(
                "kind = \"counter_threat\"\nby = \"KR\"\nresolves = \"2023-09\"\nresolution = \"{res}\""
            ),
        ))
    };
    let base = run(&scenario(""), "status_quo", 1);
    let c = run(&threat("cancelled"), "status_quo", 1);
    let e = run(&threat("executed"), "status_quo", 1);
    assert_eq!(c.diag.linkage_cancelled, base.diag.linkage_cancelled + 1);
    assert_eq!(c.rung(5, "intelligence"), base.rung(5, "intelligence"));
    assert_eq!(e.rung(4, "intelligence"), base.rung(4, "intelligence"));
    assert_eq!(e.rung(5, "intelligence") + 1, base.rung(5, "intelligence"));
    assert_eq!(
        e.diag.linkage_escalations,
        base.diag.linkage_escalations + 1
    );
}

#[test]
fn an_acting_government_makes_no_moves_then_a_snap_election_installs_a_new_one() {
    let acting = scenario(&event(
        "2023-06",
        "kind = \"kr_crisis\"\nend = \"2023-11\"\nacting = true",
    ));
    let (mut moved_before, mut domestic) = (0, 0);
    for r in 0..30 {
        let a = run(&acting, "hasty", r);
        // Months 2023-06 .. 2023-10 (t = 2..=6): no rung rises.
        for t in 2..=6 {
            for (x, y) in a.months[t].rungs.iter().zip(&a.months[t - 1].rungs) {
                assert!(x <= y, "rep {r}: a rung rose in acting month {t}");
            }
        }
        assert!(a.diag.kr_turnovers >= 1, "rep {r}: snap election");
        // Counted as a domestic crisis unless a crisis was already running.
        assert!(a.diag.domestic_crises <= 1);
        domestic += a.diag.domestic_crises;
        let b = run(&scenario(""), "hasty", r);
        if (2..=6).any(|t| b.months[t].rungs != b.months[t - 1].rungs) {
            moved_before += 1;
        }
    }
    assert!(
        moved_before > 0,
        "without the crisis hasty moves in those months"
    );
    assert!(domestic >= 20, "{domestic} of 30");
}

#[test]
fn a_path_event_switches_the_path_in_force() {
    // hasty switched to status_quo from the first month is status_quo.
    let s = scenario(&event("2023-04", "kind = \"path\"\npath = \"status_quo\""));
    for r in 0..10 {
        let a = run(&s, "hasty", r);
        let b = run(&s, "status_quo", r);
        assert_eq!(format!("{:?}", a.out), format!("{:?}", b.out), "rep {r}");
    }
    let plain = scenario("");
    let differs = (0..10).any(|r| {
        format!("{:?}", run(&plain, "hasty", r).out)
            != format!("{:?}", run(&plain, "status_quo", r).out)
    });
    assert!(differs);
}

#[test]
fn set_state_sets_a_variable_at_the_start_of_its_month() {
    let s = scenario(&event(
        "2023-08",
        "kind = \"set_state\"\nvariable = \"favourability\"\nside = \"KR\"\nvalue = 0.9",
    ));
    let a = run(&s, "status_quo", 2);
    let b = run(&scenario(""), "status_quo", 2);
    assert_eq!(a.months[3].f_kr, b.months[3].f_kr);
    assert!(a.months[4].f_kr > 0.8, "{}", a.months[4].f_kr);
}

#[test]
fn events_use_up_the_draws_they_replace() {
    // Every stream advances by the same count with or without any of the new events.
    let all = [
        event("2023-05", "kind = \"set_rung\"\ntrack = \"intelligence\"\nrung = 2"),
        event("2023-06", "kind = \"settlement\"\nissue = \"forced_labor\"\nquality = 0.5"),
        event("2023-07", "kind = \"repudiation\"\nissue = \"forced_labor\""),
        event("2023-08", "kind = \"retaliation\"\nby = \"JP\"\nissue = \"forced_labor\"\nresolves = \"2023-10\""),
        event("2023-11", "kind = \"counter_threat\"\nby = \"KR\"\nresolves = \"2024-02\"\nresolution = \"executed\""),
        event("2023-12", "kind = \"kr_crisis\"\nacting = true\ncause = \"domestic\""),
        event("2024-01", "kind = \"jp_crisis\"\nend = \"2024-04\"\ncause = \"partner_policy\""),
        event("2024-02", "kind = \"china_coercion\"\ntarget = \"JP\"\nmonths = 6\ncost = 0.2"),
        event("2024-03", "kind = \"flare_up\"\nissue = \"textbooks\"\nact = \"ritual\""),
        event("2024-05", "kind = \"restore\"\nby = \"JP\"\ntrack = \"economic_security\""),
        event("2024-06", "kind = \"path\"\npath = \"gradual\""),
        event("2024-07", "kind = \"set_state\"\nvariable = \"trust\"\ndyad = \"kr_jp\"\nvalue = 0.2"),
    ]
    .concat();
    // China v2 (docs/model.md §3.6) draws episodes against Tokyo too: without random coercion
    // the JP event below is the only one, so its count and cost are exact (the `china` stream
    // still advances by its draws).
    let quiet = "[world.china]\nh0 = 0\nh_move = 0\nh_reg = 0\nh_role = 0\n";
    let (s, plain) = (scenario(&format!("{quiet}{all}")), scenario(quiet));
    for r in 0..5 {
        let a = run(&s, "hasty", r);
        let b = run(&plain, "hasty", r);
        assert_eq!(a.diag.stream_probe, b.diag.stream_probe, "rep {r}");
        assert_eq!(a.diag.coercion_events_jp, 1);
        assert!((a.diag.coercion_cost_jp - 0.2).abs() < 1e-12);
    }
}

/// `trisim explain events` lists every kind with what it does and the keys it needs.
#[test]
fn explain_events_lists_every_kind_and_its_keys() {
    let out = assert_cmd::Command::cargo_bin("trisim")
        .unwrap()
        .args(["explain", "events"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for (kind, needs, _) in trisim::scenario::validate::event_kind_keys() {
        assert!(
            text.contains(&format!("\n  {kind}\n")),
            "{kind} missing:\n{text}"
        );
        for k in needs {
            assert!(text.contains(&format!("`{k}`")), "{kind}: `{k}` missing");
        }
    }
    assert!(text.contains("needs: `track`, `rung`"), "{text}");
    assert!(text.contains("needs: `address`, `value`"), "{text}");
    // The kind of an entry explains the same.
    let out = assert_cmd::Command::cargo_bin("trisim")
        .unwrap()
        .args(["explain", "events.0.kind"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("\n  set_state\n"));
}
