"""One form layer for the pages: typed page forms whose problems become the GOV.UK error summary."""

from app.forms.base import PageForm
from app.forms.fields import Choice, ChosenId, GovukDate, Number, OneOf, Text, date_boxes, problem

__all__ = ["Choice", "ChosenId", "GovukDate", "Number", "OneOf", "PageForm", "Text", "date_boxes", "problem"]
