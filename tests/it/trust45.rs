//! Round 45 of the adversarial trial: precomputed scores on two scales.
use crate::fixture::{gate, Fixture};
use crate::trust3::{margins_beside_probabilities, run};

/// ROC AUC by counting pairs (a tie counts a half): the oracle, O(n²).
fn pairwise_auc(scored: &[(bool, f64)]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (_, p) in scored.iter().filter(|(y, _)| *y) {
        for (_, n) in scored.iter().filter(|(y, _)| !*y) {
            pairs += 1.0;
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / pairs
}

// F1 (a false NO-GO). Margins beside probabilities, no
// champion_threshold: a champion gate on accuracy (even a warning) made
// every champion gate inconclusive, the blocking ROC AUC ones too, which
// cut neither column. Only the gates that cut the scores are now.
#[test]
fn a_thresholded_champion_gate_leaves_the_roc_auc_ones_standing() {
    let f = Fixture::new("");
    let (data, truth) = margins_beside_probabilities();
    f.write("data.csv", &data);
    let config = "[data]\npath = \"data.csv\"\ntarget = \"label\"\npositive = \"yes\"\ndrop = [\"id\"]\n\n\
                  [model]\nkind = \"scores\"\nscore = \"margin\"\nchampion_score = \"prob\"\nthreshold = 0.0\n\n\
                  [[gate]]\nname = \"point\"\nkind = \"champion\"\nmetric = \"roc_auc\"\n\n\
                  [[gate]]\nname = \"paired\"\nkind = \"champion\"\nmetric = \"roc_auc\"\ntest = \"paired\"\n\n\
                  [[gate]]\nname = \"acc\"\nkind = \"champion\"\nmetric = \"accuracy\"\nseverity = \"warn\"\n";
    f.write("gates.toml", config);
    let (code, out, err) = run(&f, &["check"]);
    let r = f.report();
    for name in ["point", "paired"] {
        let g = gate(&r, name);
        assert!(g["status"] == "pass" || g["status"] == "fail", "{g}");
    }
    let acc = gate(&r, "acc");
    assert_eq!(acc["status"], "warn", "{acc}");
    assert!(
        acc["message"]
            .as_str()
            .unwrap()
            .contains("different scales"),
        "{acc}"
    );
    let want = pairwise_auc(&truth);
    let got = r["champion"]["champion_value"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    // The warning changes nothing: the same exit without it.
    let blocking_only = config.split("\n[[gate]]\nname = \"acc\"").next().unwrap();
    f.write("gates.toml", blocking_only);
    let (alone, _, _) = run(&f, &["check"]);
    assert_eq!(code, alone, "{out}{err}");
}

// The report's champion section on a gate that cuts the scores shows no
// value cut at the wrong threshold, and says why. So does a loss gate,
// which needs probabilities in both columns (round 49, a message only:
// it said "undefined", and the champion section nothing).
#[test]
fn the_champion_section_names_no_value_it_could_not_cut() {
    for (score, champion, metric) in [("margin", "prob", "accuracy"), ("prob", "margin", "brier")] {
        let f = Fixture::new("");
        f.write("data.csv", &margins_beside_probabilities().0);
        let threshold = if score == "margin" {
            "threshold = 0.0\n"
        } else {
            ""
        };
        f.write(
            "gates.toml",
            &format!(
                "[data]\npath = \"data.csv\"\ntarget = \"label\"\npositive = \"yes\"\ndrop = [\"id\"]\n\n\
                 [model]\nkind = \"scores\"\nscore = \"{score}\"\nchampion_score = \"{champion}\"\n{threshold}\n\
                 [[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"{metric}\"\n"
            ),
        );
        let (code, _, err) = run(&f, &["check"]);
        assert_eq!(code, 1, "{metric}: {err}");
        let r = f.report();
        let g = gate(&r, "champ");
        assert_eq!(g["status"], "inconclusive", "{g}");
        assert!(r["champion"]["champion_value"].is_null(), "{r}");
        for message in [&g["message"], &r["champion"]["message"]] {
            assert!(
                message.as_str().unwrap().contains("different scales"),
                "{metric}: {message}"
            );
        }
    }
}
