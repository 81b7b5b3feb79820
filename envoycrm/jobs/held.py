"""The page where a student's envoy confirms or dismisses a held referral reply.

A public reply that matched a known student is held (``referrals.record_reply``);
only the student's envoy and coordinators may see it, and another envoy,
the pushing one included, gets a 404 like for any row not theirs.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm.access import get_scoped_or_404, roles
from envoycrm.extensions import db
from envoycrm.jobs import bp, referrals
from envoycrm.jobs.forms import HeldReplyForm
from envoycrm.models import ReferralReply, ReplyStatus, Role


@bp.route("/replies/<id:reply_id>", methods=["GET", "POST"])
@roles(Role.ENVOY, Role.COORDINATOR)
def held_reply(reply_id: int):
    """A held reply: who replied, to what, through whose link; confirm or dismiss."""
    reply = get_scoped_or_404(ReferralReply, reply_id)
    form = HeldReplyForm()
    template = "jobs/held_reply.html"
    if request.method == "GET":
        return render_template(template, reply=reply, form=form)
    if reply.status is ReplyStatus.HELD and not form.validate_on_submit():
        return render_template(template, reply=reply, form=form), 422
    confirm = form.decision.data == "confirm"
    if reply.status is ReplyStatus.HELD and referrals.decide_held_reply(
        reply, current_user, confirm
    ):
        db.session.commit()
        if confirm:
            flash(_("Reply confirmed: the interest is recorded."), "success")
        else:
            flash(_("Reply dismissed: nothing is recorded."), "success")
    else:  # decided before, perhaps by someone else a moment ago
        db.session.rollback()
        flash(_("This reply was already confirmed or dismissed."), "info")
    return redirect(url_for("jobs.held_reply", reply_id=reply_id))
