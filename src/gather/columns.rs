//! The columns of an export: which holds each role, by `--map` or by the headers of
//! this data set, Salesforce, HubSpot, Pipedrive, Zoho CRM and Dynamics 365, compared
//! as [`normalise`] makes them; how a header row is told from a report's title lines.

use super::Error;
use super::read::{ReadOptions, normalise};

/// What a column holds: its role, as `--map COLUMN=ROLE` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnRole {
    /// The opportunity's id.
    Id,
    /// Who worked it.
    Owner,
    /// Its stage: won, lost or open.
    Stage,
    /// When it was created (or engaged).
    Created,
    /// When it closed, won or lost.
    Close,
    /// Its value.
    Amount,
    /// Its segment (only with `--segment-by` or `--map COLUMN=segment`).
    Segment,
}

impl ColumnRole {
    /// The name used by `--map`.
    pub fn name(self) -> &'static str {
        match self {
            ColumnRole::Id => "id",
            ColumnRole::Owner => "owner",
            ColumnRole::Stage => "stage",
            ColumnRole::Created => "created",
            ColumnRole::Close => "close",
            ColumnRole::Amount => "amount",
            ColumnRole::Segment => "segment",
        }
    }

    pub(super) const ALL: [ColumnRole; 7] = [
        ColumnRole::Id,
        ColumnRole::Owner,
        ColumnRole::Stage,
        ColumnRole::Created,
        ColumnRole::Close,
        ColumnRole::Amount,
        ColumnRole::Segment,
    ];

    /// The role named `name` in `--map`.
    pub fn parse(name: &str) -> Option<ColumnRole> {
        ColumnRole::ALL.into_iter().find(|r| r.name() == name.trim().to_ascii_lowercase())
    }

    /// Headers recognised for this role, normalised (lower case, letters and digits
    /// only), the preferred first: this data set's, Salesforce's, HubSpot's,
    /// Pipedrive's (`Deal - Value`), Zoho CRM's and Dynamics 365's. An expected close
    /// date (`Est. Close Date`) comes last: it is a close only for a closed deal.
    pub(super) fn headers(self) -> &'static [&'static str] {
        match self {
            ColumnRole::Id => {
                &["opportunityid", "id", "recordid", "dealid", "opportunityid18", "donotmodifyopportunity"]
            }
            ColumnRole::Owner => &[
                "salesagent",
                "opportunityowner",
                "dealowner",
                "owner",
                "ownername",
                "salesrep",
                "rep",
                "dealownername",
                "assignedto",
            ],
            ColumnRole::Stage => {
                &["dealstatus", "dealstage", "stage", "stagename", "opportunitystage", "statusreason", "status"]
            }
            ColumnRole::Created => &[
                "engagedate",
                "createddate",
                "createdate",
                "created",
                "createdon",
                "datecreated",
                "createdtime",
                "dealdealcreated",
                "dealcreated",
                "dealcreatedon",
                "createdat",
            ],
            ColumnRole::Close => &[
                "closedate",
                "closeddate",
                "dateclosed",
                "closedon",
                "actualclosedate",
                "dealdealclosedon",
                "dealclosedon",
                "dealclosetime",
                "closingdate",
                "dealwontime",
                "wontime",
                "deallosttime",
                "losttime",
                "estclosedate",
                "estimatedclosedate",
            ],
            ColumnRole::Amount => &[
                "closevalue",
                "amount",
                "dealamount",
                "opportunityamount",
                "value",
                "dealvalue",
                "actualrevenue",
                "estrevenue",
                "estimatedrevenue",
                "amountconverted",
            ],
            ColumnRole::Segment => &[],
        }
    }

    /// Whether several recognised columns may hold the role, the first with a value
    /// counting: a close (Pipedrive's won time and lost time; Dynamics's actual close
    /// date, else its estimated one for a closed deal) and an amount (Dynamics's actual
    /// revenue, else its estimated one).
    fn several(self) -> bool {
        matches!(self, ColumnRole::Close | ColumnRole::Amount)
    }

    fn required(self) -> bool {
        !matches!(self, ColumnRole::Id | ColumnRole::Segment)
    }
}

/// Columns offered as a segment where none is named: HubSpot's and Pipedrive's pipeline.
const PIPELINE: &[&str] = &["pipeline", "dealpipeline"];

/// The recognised roles among a record's fields, and whether it names a `--map` column:
/// how the header is told from a report's title lines above it.
pub(super) fn header_score(fields: &[String], options: &ReadOptions) -> usize {
    let mapped =
        options.maps.iter().any(|(name, _)| fields.iter().any(|f| f == name.trim() || normalise(f) == normalise(name)));
    let roles = ColumnRole::ALL
        .into_iter()
        .filter(|r| fields.iter().any(|f| r.headers().contains(&normalise(f).as_str())))
        .count();
    roles + if mapped { 3 } else { 0 }
}

/// Which column holds each role: `--map` first, then the recognised headers, the
/// preferred first (for a close and an amount, every recognised column, in order).
/// An error says what is missing, with the header's `line` in `file`.
pub(super) fn find(
    file: &str,
    line: u64,
    header: &[String],
    options: &ReadOptions,
) -> Result<Vec<(ColumnRole, usize)>, Error> {
    let mut columns: Vec<(ColumnRole, usize)> = Vec::new();
    for (name, role) in &options.maps {
        let Some(k) = header.iter().position(|h| h == name.trim() || normalise(h) == normalise(name)) else {
            return Err(Error::UnknownMapColumn {
                file: file.to_string(),
                line,
                column: name.clone(),
                header: header.to_vec(),
            });
        };
        columns.retain(|(r, _)| r != role);
        columns.push((*role, k));
    }
    let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    for role in ColumnRole::ALL {
        if columns.iter().any(|(r, _)| *r == role) {
            continue;
        }
        for name in role.headers() {
            let taken: Vec<usize> = columns.iter().map(|(_, k)| *k).collect();
            if let Some(k) = (0..header.len()).find(|&k| !taken.contains(&k) && normalised[k] == *name) {
                columns.push((role, k));
                if !role.several() {
                    break;
                }
            }
        }
    }
    let missing: Vec<ColumnRole> =
        ColumnRole::ALL.into_iter().filter(|r| r.required() && !columns.iter().any(|(c, _)| c == r)).collect();
    if !missing.is_empty() {
        return Err(Error::MissingColumns { file: file.to_string(), line, missing, header: header.to_vec() });
    }
    Ok(columns)
}

/// The column offered as a segment where none is named (a pipeline), if any.
pub(super) fn pipeline(header: &[String], columns: &[(ColumnRole, usize)]) -> Option<usize> {
    if columns.iter().any(|(r, _)| *r == ColumnRole::Segment) {
        return None;
    }
    header.iter().position(|h| PIPELINE.contains(&normalise(h).as_str()))
}
