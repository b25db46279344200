"""Every action the audit trail records, in words: one place for each code (issue 18).

The officer's table shows an action's label ("Plan read"); the family's page and the tribunal bundle
say what the person did ("Priya Shah read the plan"). A test walks the code that records events and
fails on any action without both, so that no page ever shows a raw code such as `plan.setting_moved`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    """A few words for a table and a filter, capitalised: "Plan read"."""
    phrase: str
    """What the person did, to follow their name: "read the plan"."""


ACTIONS: dict[str, Action] = {
    # The plan and its content
    "plan.created": Action("Plan started", "started the plan"),
    "plan.create_refused": Action("Plan not started", "tried to start a plan and was stopped"),
    "plan.read": Action("Plan read", "read the plan"),
    "plan.refused": Action("Plan refused", "tried to open the plan and was turned away"),
    "plan.items_read": Action("Plan items read", "read the items of the plan"),
    "plan.summary_read": Action("Easy-read summary read", "read the easy-read summary of the plan"),
    "plan.changes_read": Action("Versions compared", "compared versions of the plan"),
    "plan.versions_read": Action("Versions read", "read the plan's versions"),
    "plan.reviews_read": Action("Reviews read", "read the plan's reviews"),
    "plan.members_read": Action("Members read", "read who is on the plan"),
    "plan.quality_read": Action("Quality checks read", "read the plan's quality checks"),
    "plan.differences_read": Action("Differences of opinion read", "read the differences of opinion"),
    "plan.audit_read": Action("Plan's audit trail read", "looked at who has seen and changed the plan"),
    "plan.exported": Action("Plan downloaded", "downloaded the plan"),
    "plan.bundle_downloaded": Action(
        "Tribunal bundle downloaded", "downloaded the plan's tribunal bundle (the plan, its record and audit)"
    ),
    "plan.imported": Action("Plan imported", "brought the plan in from another OnePlan service"),
    "plan.setting_moved": Action(
        "Moved to a new setting", "recorded the child's move to a new school or setting"
    ),
    "plan.setting_move_planned": Action(
        "Move of setting planned", "recorded a move to a new school or setting, dated ahead"
    ),
    "plan.setting_move_cancelled": Action(
        "Planned move cancelled", "cancelled a move to a new school or setting before its day"
    ),
    "plan.send_for_consultation": Action(
        "Draft sent for comment", "sent the draft plan to the family for comment"
    ),
    "plan.issue": Action("Plan issued", "issued the plan"),
    "plan.start_review": Action("Review started", "started a review of the plan"),
    "plan.cease": Action("Plan ceased", "ceased the plan"),
    "plan.move_to_stage": Action("Stage changed", "moved the plan on to another stage"),
    "plan.close": Action("Plan closed", "closed the plan"),
    "plan.step_refused": Action("Stage change refused", "tried to change the plan's stage and was stopped"),
    "plans.listed": Action("Plans listed", "looked at their list of plans"),
    "item.added": Action("Item added", "added an item to the plan"),
    "item.revised": Action("Item revised", "changed an item of the plan"),
    "item.read": Action("Item history read", "read the history of an item"),
    "item.refused": Action("Item change refused", "tried to change an item and was stopped"),
    "comment.added": Action("Comment added", "commented on an item"),
    "comment.refused": Action("Comment refused", "tried to comment and was stopped"),
    "link.added": Action("Link made", "said what an item of the plan answers"),
    "link.removed": Action("Link removed", "removed a link between items of the plan"),
    "link.refused": Action("Link refused", "tried to link items of the plan and was stopped"),
    "links.read": Action("Links read", "read what the plan's items answer"),
    "member.added": Action("Member added", "added someone to the plan"),
    "member.removed": Action("Member removed", "removed someone from the plan"),
    "member.refused": Action("Member change refused", "tried to change who is on the plan and was stopped"),
    "coordinator.handed_on": Action("Coordination handed on", "handed the coordination of the plan on"),
    "coordinator.refused": Action(
        "Coordination not handed on", "tried to hand on the coordination and was stopped"
    ),
    "plan.kind_changed": Action("Plan's kind changed", "turned the plan into an Individual Support Plan"),
    "plan.layers_read": Action("Layers of support read", "read the history of the layer of support"),
    "plan.layer_changed": Action("Layer of support changed", "changed the layer of support"),
    "plan.isp_changed": Action(
        "Duty holder or review date changed", "changed the plan's duty holder or its next review date"
    ),
    "isp.refused": Action(
        "Support plan change refused", "tried to change the plan's kind or layer of support and was stopped"
    ),
    "plan_words.changed": Action(
        "Council's words changed", "renamed the Individual Support Plan and its layers for the council"
    ),
    "review.arranged": Action("Review arranged", "arranged a review meeting"),
    "review.recorded": Action("Review recorded", "recorded a review meeting"),
    "review.refused": Action("Review refused", "tried to record a review and was stopped"),
    "review.progress_rated": Action("Progress rated", "rated progress towards an outcome at a review"),
    "review.own_words_added": Action(
        "Own words added to a review", "added their own words about an outcome at a review"
    ),
    "review.own_words_corrected": Action(
        "Own words corrected at a review",
        "corrected their own words about an outcome at a review (what they wrote before is kept)",
    ),
    "plan.progress_read": Action("Progress read", "read the progress towards the plan's outcomes"),
    "review.finished": Action("Review finished", "finished a review with progress for every outcome"),
    "difference.recorded": Action("Difference of opinion recorded", "recorded a difference of opinion"),
    "difference.refused": Action(
        "Difference of opinion refused", "tried to record a difference of opinion and was stopped"
    ),
    # Voices
    "views.sent": Action("Views sent", "sent their views"),
    "views.read": Action("Views read", "read the views on the plan"),
    "views.refused": Action("Views refused", "tried to send views and was stopped"),
    "views.draft_saved": Action(
        "Views saved to finish later", "saved their views as a draft to finish later"
    ),
    "picture.added": Action("Picture added", "added a picture"),
    "picture.read": Action("Picture read", "looked at a picture on the plan"),
    "picture.refused": Action("Picture refused", "tried to see or add a picture and was stopped"),
    # The statutory timeline
    "assessment.requested": Action("Assessment asked for", "asked for an EHC needs assessment"),
    "assessment.request_refused": Action(
        "Assessment request refused", "tried to ask for an assessment and was stopped"
    ),
    "assessment.taken_on": Action(
        "Assessment taken on", "took on the request for an assessment for the council"
    ),
    "assessment.take_on_refused": Action(
        "Assessment not taken on", "tried to take on a request for an assessment and was stopped"
    ),
    "advice.requested": Action("Advice asked for", "asked for advice for the assessment"),
    "advice.returned": Action("Advice returned", "recorded advice as returned"),
    "advice.refused": Action("Advice refused", "tried to ask for or return advice and was stopped"),
    "advice.attachment_read": Action("Advice file read", "opened a file returned with advice"),
    "advice.attachment_refused": Action(
        "Advice file refused", "tried to open a file returned with advice and was stopped"
    ),
    "assessment.draft_made": Action(
        "Draft EHC plan made", "made the draft EHC plan from the assessment and the SEN Support plan"
    ),
    "draft.refused": Action("Draft plan refused", "tried to make the draft EHC plan and was stopped"),
    "timeline.read": Action("Timeline read", "read the plan's timeline"),
    "timeline.step_done": Action("Step done", "recorded a step of the timeline as done"),
    "timeline.exception_recorded": Action("Time limit exception", "recorded why a time limit does not apply"),
    "timeline.phase_transfer_added": Action(
        "Phase transfer deadline added", "added the deadline for a move to the next school"
    ),
    "step.refused": Action("Step refused", "tried to record a step of the timeline and was stopped"),
    "phase_transfer.refused": Action(
        "Phase transfer refused", "tried to add a phase transfer deadline and was stopped"
    ),
    "reminder.sent": Action("Reminder sent", "sent a reminder of a step that is due"),
    "dashboard.read": Action("Dashboard read", "looked at their dashboard"),
    "la_dashboard.read": Action("Council dashboard read", "looked at the council's dashboard"),
    "la_dashboard.refused": Action(
        "Council dashboard refused", "tried to open the council's dashboard and was stopped"
    ),
    # Delivery
    "delivery.read": Action("Delivery log read", "read the delivery log"),
    "delivery.listed": Action("Delivery read", "read the delivery of the plan's provision"),
    "delivery.recorded": Action("Delivery recorded", "recorded what support was delivered"),
    "delivery.refused": Action("Delivery refused", "tried to record delivery and was stopped"),
    "la.delivery_read": Action("Council delivery figures read", "looked at the council's delivery figures"),
    "timetable.read": Action("Reduced timetable read", "read a reduced timetable"),
    "timetables.listed": Action("Reduced timetables read", "read the reduced timetables"),
    "timetable.recorded": Action("Reduced timetable recorded", "recorded a reduced timetable"),
    "timetable.decided": Action("Reduced timetable decided", "recorded a decision about a reduced timetable"),
    "timetable.refused": Action(
        "Reduced timetable refused", "tried to change a reduced timetable and was stopped"
    ),
    "needs_map.read": Action("Needs map read", "read the needs map"),
    "needs_map.recorded": Action("Needs map changed", "added to the needs map"),
    "needs_map.refused": Action("Needs map refused", "tried to change the needs map and was stopped"),
    "provision.ended": Action("Provision ended", "ended a provision, saying why"),
    "provision.refused": Action(
        "Provision change refused", "tried to end or change a provision and was stopped"
    ),
    "provision_change.read": Action("Provision change read", "read a change of provision"),
    "provision_changes.listed": Action("Provision changes read", "read the changes of provision"),
    "provision_change.answered": Action("Provision change answered", "answered a change of provision"),
    "move.refused": Action("Move refused", "tried to record a move to a new setting and was stopped"),
    # Concerns and complaints
    "concern.raised": Action("Concern raised", "raised a concern with the setting"),
    "concern.answered": Action("Concern answered", "answered a concern"),
    "concern.outcome_given": Action(
        "Concern outcome given", "said whether the setting's answer resolves their concern"
    ),
    "concern.read": Action("Concern read", "read a concern"),
    "concerns.read": Action("Concerns read", "read the plan's concerns"),
    "concern.refused": Action("Concern refused", "tried to raise or answer a concern and was stopped"),
    "complaint.made": Action("Complaint made", "made a concern a complaint to the council"),
    "complaint.taken_on": Action("Complaint taken on", "took on a complaint for the council"),
    "complaint.stage_changed": Action("Complaint stage changed", "moved a complaint on to another stage"),
    "complaint.answered": Action("Complaint answered", "answered a complaint for the council"),
    "complaint.read": Action("Complaint read", "read a complaint"),
    "complaints.listed": Action("Complaints listed", "looked at the council's complaints"),
    "complaint.refused": Action("Complaint refused", "tried to open or handle a complaint and was stopped"),
    "concern_time.changed": Action(
        "Time to answer concerns changed", "changed how long settings have to answer a concern"
    ),
    "concern_time.refused": Action(
        "Time to answer concerns refused", "tried to change the time to answer concerns and was stopped"
    ),
    # Experts at Hand and inclusion bases
    "expert_service.contact_changed": Action(
        "Service contact changed", "set where an Experts at Hand service's requests are mailed"
    ),
    "expert_request.made": Action(
        "Service asked", "asked a service for advice or direct work (Experts at Hand)"
    ),
    "expert_requests.read": Action("Requests to services read", "read the plan's requests to services"),
    "expert_request.read": Action("Request to a service read", "read a request made to their service"),
    "expert_request.answered": Action(
        "Service replied", "replied to a request to their service, writing the reply into the plan"
    ),
    "expert_request.refused": Action(
        "Request to a service refused", "tried to ask or answer a service and was stopped"
    ),
    "la.experts_read": Action(
        "Council Experts at Hand figures read", "looked at the council's Experts at Hand figures"
    ),
    "inclusion_base.added": Action("Inclusion base added", "added an inclusion base to their school"),
    "inclusion_bases.read": Action("Inclusion bases read", "looked at their school's inclusion bases"),
    "inclusion_base.read": Action("Inclusion base read", "looked at who has a place in an inclusion base"),
    "inclusion_base.refused": Action(
        "Inclusion base refused", "tried to see or change an inclusion base and was stopped"
    ),
    "inclusion_place.added": Action(
        "Inclusion base place given", "gave the child a place in an inclusion base"
    ),
    # Quality
    "la.quality_read": Action("Council quality figures read", "looked at the council's quality figures"),
    "la.plans_listed": Action(
        "Council's list of plans read", "looked at the council's list of children and plans"
    ),
    "la.plans_refused": Action(
        "Council's list of plans refused", "tried to open the council's list of plans and was stopped"
    ),
    "setting_list.read": Action(
        "Setting's list of plans read", "looked at the setting's list of children with plans"
    ),
    "setting_list.exported": Action(
        "Setting's list of plans downloaded", "downloaded the setting's list of children with plans"
    ),
    "setting_list.refused": Action(
        "Setting's list refused", "tried to open a setting's list of plans and was turned away"
    ),
    "setting_evidence.read": Action("Evidence pack read", "looked at the setting's evidence pack"),
    "setting_evidence.exported": Action("Evidence pack downloaded", "downloaded the setting's evidence pack"),
    # People, accounts and signing in
    "person.invited": Action("Person invited", "invited someone to OnePlan"),
    "person.deactivated": Action("Account switched off", "switched off someone's account"),
    "person.reactivated": Action("Account switched on again", "switched someone's account on again"),
    "person.second_factor_reset": Action("Second factor reset", "reset someone's sign-in codes"),
    "person.data_exported": Action("Own data downloaded", "downloaded everything OnePlan holds about them"),
    "organisation.created": Action("Organisation added", "added an organisation"),
    "setting.senco_designated": Action("SENCo designated", "made someone a SENCo of their setting"),
    "setting.senco_undesignated": Action("SENCo designation ended", "ended someone's designation as a SENCo"),
    "setting.senco_refused": Action(
        "SENCo designation refused", "tried to change who is a setting's SENCo and was stopped"
    ),
    "deliverer_role.added": Action(
        "Role added to the council's list", "added a role to the list of who delivers provision"
    ),
    "deliverer_role.refused": Action(
        "Role not added", "tried to add a role to a council's list of who delivers provision and was stopped"
    ),
    "invitation.accepted": Action(
        "Invitation accepted", "accepted their invitation and set up their account"
    ),
    "password_reset.requested": Action("Password reset asked for", "asked to reset their password"),
    "password_reset.completed": Action("Password reset", "reset their password"),
    "sign_in.succeeded": Action("Signed in", "signed in"),
    "sign_out": Action("Signed out", "signed out"),
    "sign_in.failed": Action("Sign-in failed", "tried to sign in and could not"),
    "second_factor.set_up": Action("Second factor set up", "set up their sign-in codes"),
    "second_factor.failed": Action("Second factor failed", "typed a sign-in code that was wrong"),
    "second_factor.refused": Action("Second factor refused", "was stopped at the sign-in code"),
    "recovery_codes.renewed": Action("Recovery codes renewed", "made new recovery codes"),
    "api_token.created": Action("API token made", "made an API token"),
    "api_token.revoked": Action("API token revoked", "revoked an API token"),
    "api_token.revoke_refused": Action(
        "API token not revoked", "tried to revoke an API token and was stopped"
    ),
    "family_link.named": Action("Family word saved", "said what their child calls them"),
    "child_sign_in_card.created": Action("Sign-in card made", "made a sign-in card for a child"),
    "child_sign_in_card.revoked": Action("Sign-in card revoked", "revoked a child's sign-in card"),
    "child_sign_in_card.locked": Action(
        "Sign-in card locked", "locked a child's sign-in card after wrong pictures"
    ),
    "child_sign_in_card.refused": Action("Sign-in card refused", "tried a sign-in card that does not work"),
    # Refusals before any service is reached
    "permission.refused": Action("Refused by role", "tried to do something their role does not allow"),
    "csrf.refused": Action("Form refused", "sent a form that was out of date or not from OnePlan"),
    # The trail itself, and the service's own housekeeping
    "audit.listed": Action("Audit trail searched", "searched the audit trail"),
    "audit.exported": Action("Audit trail exported", "exported events of the audit trail"),
    "audit.contributions_read": Action("Contributions read", "looked at who contributed to plans"),
    "audit.checkpoint_published": Action(
        "Checkpoint published", "checked the audit trail and published a checkpoint"
    ),
    "audit.checkpoint_downloaded": Action("Checkpoint downloaded", "downloaded the latest checkpoint"),
    "audit.reasons_erased": Action("Reasons erased", "erased typed reasons kept beyond their time"),
    "housekeeping.swept": Action("Housekeeping", "cleared out expired sessions and old sign-in attempts"),
}


def label(code: str) -> str:
    known = ACTIONS.get(code)
    return known.label if known else code


def phrase(code: str) -> str:
    known = ACTIONS.get(code)
    return known.phrase if known else f"did “{code}”"
