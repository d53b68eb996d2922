//! The stage vocabulary: which stage (or status) names mean won, lost or still open,
//! in the exports of this data set, Salesforce, HubSpot, Pipedrive, Zoho CRM and
//! Dynamics 365, and the words a user adds with `--won`, `--lost` and `--open`.
//!
//! Names are compared as [`normalise`] makes them (lower case, letters and digits
//! only), so `Closed Won`, `closedwon` and `Closed-Won` are one stage.

use super::read::{Outcome, normalise};

/// Won: Salesforce, HubSpot and Zoho's `Closed Won`, Pipedrive's and Dynamics's `Won`.
const WON: &[&str] = &["won", "closedwon", "closewon"];

/// Lost: `Closed Lost`, Zoho's `Closed-Lost to Competition`, Pipedrive's and Dynamics's
/// `Lost`, Dynamics's lost status reasons `Canceled` and `Out-Sold`.
const LOST: &[&str] =
    &["lost", "closedlost", "closelost", "closedlosttocompetition", "canceled", "cancelled", "outsold"];

/// Open: the default stages of this data set, Salesforce (and Zoho), HubSpot, Pipedrive's
/// default pipeline and `open` status, Dynamics's sales stages and open status reasons.
const OPEN: &[&str] = &[
    // This data set.
    "prospecting",
    "engaging",
    // Salesforce and Zoho CRM.
    "qualification",
    "needsanalysis",
    "valueproposition",
    "iddecisionmakers",
    "identifydecisionmakers",
    "perceptionanalysis",
    "proposalpricequote",
    "negotiationreview",
    // HubSpot's default pipeline, by label and by internal name.
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    // Pipedrive's status and default pipeline.
    "open",
    "qualified",
    "contactmade",
    "demoscheduled",
    "proposalmade",
    "negotiationsstarted",
    // Dynamics 365's status reasons and sales stages.
    "inprogress",
    "onhold",
    "qualify",
    "develop",
    "propose",
    // Common names elsewhere.
    "new",
    "discovery",
    "demo",
    "proposal",
    "negotiation",
];

/// The stages an export's rows are sorted by.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Each outcome's names, the user's first.
    words: [(Outcome, Vec<String>); 3],
}

impl Default for Vocabulary {
    fn default() -> Vocabulary {
        Vocabulary::new(&[], &[], &[])
    }
}

impl Vocabulary {
    /// The known names with the user's `won`, `lost` and `open` words, which come first
    /// (a word the user gives wins over a default).
    pub fn new(won: &[String], lost: &[String], open: &[String]) -> Vocabulary {
        let list = |user: &[String], known: &[&str]| -> Vec<String> {
            user.iter().map(|w| normalise(w)).chain(known.iter().map(ToString::to_string)).collect()
        };
        Vocabulary {
            words: [
                (Outcome::Won, list(won, WON)),
                (Outcome::Lost, list(lost, LOST)),
                (Outcome::Open, list(open, OPEN)),
            ],
        }
        .with_user_first(won, lost, open)
    }

    /// Takes a user's word out of the other outcomes' lists, so that `--lost "Closed
    /// Won"` (an export that misnames a stage) is obeyed.
    fn with_user_first(mut self, won: &[String], lost: &[String], open: &[String]) -> Vocabulary {
        let user: Vec<(Outcome, String)> = [(Outcome::Won, won), (Outcome::Lost, lost), (Outcome::Open, open)]
            .into_iter()
            .flat_map(|(o, words)| words.iter().map(move |w| (o, normalise(w))))
            .collect();
        for (outcome, words) in &mut self.words {
            words.retain(|w| !user.iter().any(|(o, u)| u == w && o != outcome));
        }
        self
    }

    /// The outcome of a stage name, if it is known.
    pub fn outcome(&self, stage: &str) -> Option<Outcome> {
        let key = normalise(stage);
        self.words.iter().find(|(_, words)| words.contains(&key)).map(|(o, _)| *o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_crms_stages_are_known_and_the_users_words_come_first() {
        let v = Vocabulary::new(&[], &[], &[]);
        for (stage, outcome) in [
            ("Closed Won", Outcome::Won),
            ("won", Outcome::Won),
            ("Closed Lost", Outcome::Lost),
            ("Closed-Lost to Competition", Outcome::Lost),
            ("Out-Sold", Outcome::Lost),
            ("Canceled", Outcome::Lost),
            ("Negotiation/Review", Outcome::Open),
            ("Id. Decision Makers", Outcome::Open),
            ("Decision Maker Bought-In", Outcome::Open),
            ("appointmentscheduled", Outcome::Open),
            ("open", Outcome::Open),
            ("In Progress", Outcome::Open),
            ("Negotiations Started", Outcome::Open),
        ] {
            assert_eq!(v.outcome(stage), Some(outcome), "{stage}");
        }
        assert_eq!(v.outcome("Pitching"), None);
        let words = |w: &[&str]| w.iter().map(ToString::to_string).collect::<Vec<_>>();
        let v = Vocabulary::new(&words(&["Signed"]), &words(&["On Hold"]), &words(&["Pitching"]));
        assert_eq!(v.outcome("signed"), Some(Outcome::Won));
        assert_eq!(v.outcome("On hold"), Some(Outcome::Lost), "the user's word wins over a default");
        assert_eq!(v.outcome("Pitching"), Some(Outcome::Open));
    }
}
