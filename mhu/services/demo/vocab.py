"""Vocabulary and weights of the demo generator: names, places, and how often each value occurs.

The weights follow the ranges of published co-responder program evaluations and DESIGN.md's
metrics (arrest a few percent, emergency detention about one call in eight, most calls resolved
in the community), so the dashboards show figures a unit would recognise.
"""

AGENCY_NAME = "Riverside Police Department"
AGENCY_TIMEZONE = "America/Chicago"
CO_RESPONDER_TEAMS = ("Co-Response Alpha", "Co-Response Bravo", "Co-Response Charlie", "Co-Response Delta")
CLINICIAN_TEAM = "Clinician Outreach"
DEMO_TEAM = CO_RESPONDER_TEAMS[0]
DEMO_USERS = (
    ("officer", "officer@example.org", "Dana Officer", "cit_40h"),
    ("clinician", "clinician@example.org", "Casey Clinician", "advanced"),
    ("supervisor", "supervisor@example.org", "Sam Supervisor", "cit_40h"),
    ("partner", "partner@example.org", "Pat Partner", "none"),
    ("admin", "admin@example.org", "Alex Admin", "none"),
)
DEMO_EMAILS = tuple(email for _, email, _, _ in DEMO_USERS)

# District -> (beat prefix, beats, centre latitude, centre longitude)
DISTRICTS = (
    ("North", "N", 4, 30.512, -97.688),
    ("Northeast", "NE", 3, 30.498, -97.631),
    ("East", "E", 4, 30.455, -97.612),
    ("South", "S", 5, 30.401, -97.671),
    ("Southwest", "SW", 3, 30.418, -97.735),
    ("West", "W", 3, 30.462, -97.748),
    ("Central", "C", 4, 30.458, -97.684),
)
# Central and East carry more calls than the residential edges.
DISTRICT_WEIGHTS = (11, 9, 17, 14, 9, 10, 22)
STREETS = (
    "Main St", "Oak Ave", "River Rd", "Cedar Ln", "Mesquite Dr", "Pecan St", "Lamar Blvd",
    "Guadalupe St", "Sunset Trl", "Bluebonnet Way", "Ridgeview Dr", "Willow Creek Rd",
    "Industrial Blvd", "Lakeshore Dr", "Elm St", "Maple Ave", "Highland Pkwy", "Church St",
    "Station Rd", "Crockett St", "Magnolia Ct", "Harbor View Dr", "Cypress Bend", "Old Mill Rd",
)

FIRST_NAMES_FEMALE = (
    "Maria", "Jennifer", "Ashley", "Jessica", "Sarah", "Brittany", "Amanda", "Michelle", "Emily",
    "Lakisha", "Tamika", "Guadalupe", "Ana", "Rosa", "Sofía", "Zoë", "Renée", "Chloé", "Mei",
    "Linh", "Thảo", "Aaliyah", "Fatima", "Siobhán", "Ingrid", "Priya", "Nadia", "Keisha",
    "Destiny", "Olivia", "Mary-Kate", "Anne-Marie", "Dolores", "Yesenia", "Krystal", "Noemí",
)
FIRST_NAMES_MALE = (
    "James", "Robert", "Michael", "William", "David", "Christopher", "Joshua", "Tyrone", "DeShawn",
    "José", "Luis", "Jesús", "Juan", "Carlos", "Andrés", "Nguyen", "Minh", "Wei", "Ahmed",
    "Mohammed", "Oluwaseun", "Kwame", "Dmitri", "Björn", "François", "Seán", "Jean-Luc",
    "Jean-Pierre", "Billy Ray", "Cody", "Travis", "Marcus", "Darnell", "Raúl", "Héctor", "Elijah",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez",
    "Clark", "Ramírez", "Lewis", "Robinson", "Walker", "Young", "Nguyễn", "Tran", "Pham",
    "Kim", "Patel", "Okafor", "Adeyemi", "O'Brien", "O'Connor", "D'Angelo", "McAllister",
    "García-López", "Smith-Jones", "Ruiz-Castillo", "Müller", "Peña", "Núñez", "Ibáñez",
    "Østergaard", "Van der Berg", "De la Cruz", "St. John", "Washington", "Begay", "Yazzie",
    "Nakamura", "Chávez", "Fernández", "Whitehorse", "MacLeod", "Kowalski", "Nowak",
)
NICKNAMES = {
    "Robert": "Bobby", "William": "Billy", "Michael": "Mike", "James": "Jimmy", "Christopher": "Chris",
    "Joshua": "Josh", "Jennifer": "Jen", "Jessica": "Jess", "Elizabeth": "Liz", "José": "Pepe",
    "Jesús": "Chuy", "Guadalupe": "Lupe", "Dolores": "Lola", "Francisco": "Paco", "David": "Dave",
    "Ashley": "Ash", "Amanda": "Mandy", "Marcus": "Marc", "Dmitri": "Dima", "Sofía": "Sofi",
}
STREET_NAMES = ("Red", "Tex", "Smoke", "Junior", "Doc", "Sunny", "Shorty", "Preacher", "Ghost", "Cricket")

AGE_BANDS = (("under_18", 5), ("18_24", 14), ("25_34", 24), ("35_44", 20), ("45_54", 15),
             ("55_64", 11), ("65_plus", 8), ("unknown", 3))
AGE_RANGES = {"under_18": (12, 17), "18_24": (18, 24), "25_34": (25, 34), "35_44": (35, 44),
              "45_54": (45, 54), "55_64": (55, 64), "65_plus": (65, 90), "unknown": (20, 60)}
GENDERS = (("male", 55), ("female", 41), ("nonbinary", 1.5), ("other", 0.5), ("unknown", 2))
# Equity fields: one OMB category for most persons, two for some, none ("not recorded") for about
# one in ten; sex follows the recorded gender, and is left not recorded for some.
RACE = (("white", 44), ("black_or_african_american", 22), ("hispanic_or_latino", 14), ("asian", 4),
        ("american_indian_or_alaska_native", 1.5), ("middle_eastern_or_north_african", 1.5),
        ("native_hawaiian_or_other_pacific_islander", 0.5), ("two", 3.5), ("not_recorded", 9))
SEX_NOT_RECORDED = 0.07
HOUSING = (("housed", 58), ("unstably_housed", 12), ("unsheltered", 15), ("sheltered", 7),
           ("institution", 2), ("unknown", 6))
SAFETY_FLAGS = (("weapons_history", 3), ("assaultive_history", 4), ("flight_risk", 2),
                ("medical_condition", 4), ("officer_safety_caution", 2), ("do_not_approach_alone", 1),
                ("service_animal", 0.5), ("hearing_impaired", 1), ("limited_english", 3))

# Calls per person: (count range, weight). Many one-time contacts, a long tail of repeat callers.
CONTACT_PROFILES = (((1, 1), 52), ((2, 2), 22), ((3, 3), 12), ((4, 6), 8), ((7, 12), 4), ((13, 40), 2))
# Mean days between a person's calls, by how many calls they have: heavy users call in clusters.
REPEAT_GAP_DAYS = ((3, 120), (6, 60), (12, 35), (10_000, 18))

# Local hour of day 0-23 (afternoon/evening peak) and weekday Mon-Sun.
HOUR_WEIGHTS = (3, 2.5, 2, 1.5, 1.2, 1.2, 1.8, 2.8, 3.8, 4.5, 5, 5.5, 5.8, 6, 6.3, 6.6, 6.8, 6.8,
                6.5, 6, 5.5, 5, 4.3, 3.6)
WEEKDAY_WEIGHTS = (1.06, 1.0, 1.0, 1.01, 1.09, 0.93, 0.88)

CALL_SOURCES = (("911", 45), ("non_emergency", 14), ("text_911", 1), ("on_view", 6),
                ("officer_request", 8), ("988_transfer", 3), ("crisis_line", 3),
                ("provider_referral", 5), ("family_referral", 6), ("court_or_jail", 1.5),
                ("school", 3), ("scheduled_follow_up", 4.5))
CLINICIAN_SOURCES = (("crisis_line", 30), ("988_transfer", 25), ("scheduled_follow_up", 25),
                     ("provider_referral", 12), ("family_referral", 8))
NATURES = (("welfare_check", 22), ("mh_crisis", 25), ("suicide_threat", 14), ("suicide_attempt", 4),
           ("intoxicated_person", 6), ("disturbance", 9), ("trespass", 4), ("domestic", 3),
           ("criminal", 2), ("follow_up", 2), ("assist_person", 5), ("other", 3))
CALL_TYPES = {
    "welfare_check": "WELCK", "mh_crisis": "10-96", "suicide_threat": "SUICT",
    "suicide_attempt": "SUICA", "intoxicated_person": "DRUNK", "disturbance": "DIST",
    "trespass": "TRESP", "domestic": "DOMEST", "criminal": "CRIM", "follow_up": "FOLUP",
    "assist_person": "ASSIST", "other": "MISC",
}
RECLASSIFIED_TO = ("10-96", "10-96", "SUICT", "WELCK", "DIST", "ASSIST")

PROBLEMS = (("acute_stress", 14), ("psychotic_symptoms", 13), ("mood_disorder", 16),
            ("suicidal_ideation", 16), ("self_harm", 4), ("homicidal_ideation", 1.5),
            ("substance_use", 12), ("co_occurring", 9), ("cognitive_or_dementia", 4),
            ("developmental_disability", 3), ("medical_cause_suspected", 2), ("unknown", 5.5))

# (dispositions with weights) for calls an officer attends; clinician-only calls use their own.
DISPOSITIONS = (("resolved_on_scene", 24), ("resolved_with_referral", 20), ("resources_declined", 7),
                ("notified_provider_or_family", 5), ("handoff_mobile_crisis", 4),
                ("voluntary_transport_crisis_facility", 6), ("voluntary_transport_ed", 8),
                ("courtesy_transport", 3), ("ems_medical_transport", 3), ("emergency_detention", 13),
                ("arrest", 4.6), ("citation_or_summons", 2.1), ("unable_to_locate", 3.1),
                ("no_action_possible", 2), ("referred_to_other_agency", 2.5))
CLINICIAN_DISPOSITIONS = (("resolved_on_scene", 30), ("resolved_with_referral", 34),
                          ("resources_declined", 10), ("notified_provider_or_family", 8),
                          ("handoff_mobile_crisis", 5), ("voluntary_transport_crisis_facility", 5),
                          ("unable_to_locate", 5), ("referred_to_other_agency", 3))
LEGAL_HOLDS = (("EDO", 45), ("APOWW", 30), ("5150", 25))
OFFENSES_WHEN_CHARGED = (("misdemeanor", 62), ("felony", 18), ("person_crime", 20))
OFFENSES_OTHERWISE = (("none", 90), ("misdemeanor", 7.5), ("felony", 1), ("person_crime", 1.5))

# Force by situation: custody (arrest), detention, everything else.
FORCE_ARREST = (("none", 15), ("verbal_only", 10), ("handcuffs_restraint", 62),
                ("physical_control", 10), ("less_lethal", 2.8), ("deadly_force", 0.2))
FORCE_DETENTION = (("none", 48), ("verbal_only", 12), ("handcuffs_restraint", 33),
                   ("physical_control", 5.5), ("less_lethal", 1.5))
FORCE_OTHER = (("none", 93), ("verbal_only", 6), ("handcuffs_restraint", 0.5),
               ("physical_control", 0.42), ("less_lethal", 0.08))
INJURY_SEVERITY = (("complaint_of_pain", 40), ("minor", 40), ("moderate", 15), ("serious", 5))
SELF_HARM_SEVERITY = (("minor", 45), ("moderate", 35), ("serious", 18), ("death", 2))

REFERRAL_PARTNERS = {
    "mh_outpatient_new": "Riverside County Behavioral Health",
    "existing_provider": "Existing provider",
    "sud_treatment": "Bridgeway Recovery Center",
    "crisis_stabilization": "Harbor Crisis Stabilization Unit",
    "case_management": "Riverside County Behavioral Health",
    "housing_shelter": "Hope Street Shelter",
    "medical_primary_care": "Eastside Community Clinic",
    "peer_support": "NAMI Riverside",
    "family_support": "NAMI Riverside",
    "veteran_services": "VA Riverside Clinic",
    "idd_services": "Riverside IDD Authority",
    "prebooking_diversion": "Riverside Diversion Center",
    "court_diversion": "Riverside County Mental Health Court",
    "safety_plan_988": "988 Lifeline",
    "benefits": "Riverside Benefits Navigation",
}
REFERRAL_GENERAL = (("mh_outpatient_new", 20), ("existing_provider", 18), ("case_management", 10),
                    ("peer_support", 7), ("family_support", 6), ("medical_primary_care", 4),
                    ("benefits", 3), ("crisis_stabilization", 6), ("idd_services", 1))
REFERRAL_STATUS_SETTLED = (("made", 12), ("accepted", 20), ("declined", 13), ("linked", 45), ("unable", 10))

FOLLOWUP_METHODS = (("phone", 55), ("in_person", 15), ("outreach_visit", 15), ("text", 12), ("letter", 3))
# Outcome of the attempt that closes a follow-up (no_contact_after_attempts is handled apart).
CLOSING_OUTCOMES = (("reached_engaged", 38), ("linked_appointment_kept", 22), ("reached_declined", 17),
                    ("recrisis", 5), ("hospitalized", 5), ("incarcerated", 1.5), ("moved_or_lost", 3),
                    ("deceased", 0.3))
REACHED_OUTCOMES = frozenset({"reached_engaged", "linked_appointment_kept", "reached_declined", "recrisis"})

VOID_REASONS = ("Duplicate entry of the same incident.", "Entered in error: not an MHU call.",
                "Test record created during training.")
NARRATIVES = {
    "resolved_on_scene": "Team made contact; subject de-escalated and agreed to a safety plan.",
    "resolved_with_referral": "Subject calm after de-escalation; referral made and explained.",
    "resources_declined": "Subject oriented and not a danger; declined offered resources.",
    "emergency_detention": "Subject met criteria for emergency detention; transported for evaluation.",
    "arrest": "Probable cause for the offence; subject taken into custody after assessment.",
    "unable_to_locate": "Area checked; subject not located.",
    "voluntary_transport_ed": "Subject agreed to voluntary evaluation; transported to the ED.",
}
