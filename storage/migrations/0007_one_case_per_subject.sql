-- At most one case of a workflow at a template version for one person in a network that is not
-- withdrawn: the database itself keeps two sends at once (two processes, two servers) from
-- opening a nurse's function description twice. Agreements have no subject and are not limited.
CREATE UNIQUE INDEX case_file_one_per_subject
    ON case_file (network_id, workflow, template_version, subject_person_id)
    WHERE subject_person_id IS NOT NULL AND state <> 'withdrawn';
