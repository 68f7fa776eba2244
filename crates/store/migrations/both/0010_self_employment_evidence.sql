-- Issue 13: the evidence of a self-employment (a UTR, a payslip or accounts seen).
ALTER TABLE jobs ADD COLUMN self_employment_evidence TEXT;
