"""Row-level rules come from one table, whatever else a process imported."""

import subprocess
import sys

import pytest

from envoycrm import access
from envoycrm.models import AuditEvent


def test_a_process_that_imports_only_access_knows_every_rule():
    # A CLI command or the scheduler may import nothing but ``access``: the
    # rules must not depend on a blueprint's services having been imported.
    script = (
        "import sys\n"
        "from envoycrm import access\n"
        "from envoycrm.models import JobOpening, Push, ReferralReply, Student, Task\n"
        "assert not any(m.startswith(('envoycrm.students.services',"
        " 'envoycrm.jobs.services', 'envoycrm.privacy.'))"
        " for m in sys.modules), sorted(sys.modules)\n"
        "for model in (JobOpening, Push, ReferralReply, Student, Task):\n"
        "    assert model in access.scopes.RULES, model\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_model_without_a_rule_cannot_be_scoped(people):
    with pytest.raises(LookupError, match="AuditEvent"):
        access.scoped(AuditEvent, people["envoy"])
