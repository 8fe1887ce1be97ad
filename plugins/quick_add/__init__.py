"""Quick Add: register a patient with only name, date of birth and phone. Its features arrive with the
Patients issue."""
TITLE = "Quick Add"
DESCRIPTION = "Quick Add Patient: register and schedule with name, date of birth and phone; finalizing waits for a complete profile."
