"""Step 2 — tough questions: who benefits, what success looks like in numbers, daily work."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from backplan_tui.core.coach import answered_count
from backplan_tui.core.model import QUESTION_STATUSES, Question
from backplan_tui.tui.conflicts import conflicted_ids, marked, notes
from backplan_tui.tui.dialogs import FormScreen
from backplan_tui.tui.screens.base import TableStepScreen
from backplan_tui.tui.text import cell, fmt, safe, safe_block
from backplan_tui.tui.widgets.fit import Flex
from backplan_tui.tui.widgets.form import Field
from backplan_tui.tui.widgets.items import Detail, ItemTable

STATUS_LABELS = {"open": "? open", "answered": "✓ answered", "parked": "‖ parked"}
STATUS_STYLES = {"open": "bold", "answered": "green", "parked": "dim"}


def question_fields(new: bool = False) -> list[Field]:
    """The question form; for a ``new`` one Status may stay blank: answered when an answer
    was written, else open."""
    return [
        Field("prompt", "Question", required=True),
        Field("answer", "Answer", kind="long", placeholder="what the team said"),
        Field(
            "status",
            "Status",
            kind="choice",
            required=not new,
            choices=[(STATUS_LABELS[s], s) for s in QUESTION_STATUSES],
            placeholder="from the answer" if new else "",
        ),
        Field("owner", "Owner", placeholder="who follows up"),
    ]


class QuestionTable(ItemTable):
    BINDINGS = [Binding("space", "screen.cycle_status", "Status", id="questions.status")]


class QuestionsScreen(TableStepScreen):
    STEP = "questions"
    TABLE_ID = "questions"
    KIND = "question"

    def items(self) -> list[Question]:
        return self.session.questions

    def item_name(self, item: Question) -> str:
        return item.prompt

    def refresh_items(self, select: str | None = None) -> None:
        self.refresh_questions(select)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(id="questions-title", classes="section-title")
            yield QuestionTable(
                ["Status", "Question", "Answer", "Owner"],
                id="questions",
                # the status word stays whole; the texts share the rest, the owner too
                flex={1: Flex(3, 12), 2: Flex(2, 8), 3: Flex(1, 8)},
            )
            yield Detail(id="question-detail", classes="detail")

    def on_mount(self) -> None:
        # StepScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.refresh_questions()
        self.query_one(ItemTable).focus()

    def refresh_questions(self, select: str | None = None) -> None:
        answered, total = answered_count(self.session)
        self.query_one("#questions-title", Static).update(
            fmt(
                "[b]Tough questions[/b] — $a of $t answered · "
                "[dim]enter answer · space status · a add[/]",
                a=answered,
                t=total,
            )
        )
        conflicted = conflicted_ids(self.session, "questions")
        rows = [
            (
                q.id,
                [
                    Text(
                        STATUS_LABELS.get(q.status, q.status),
                        style=STATUS_STYLES.get(q.status, ""),
                    ),
                    marked(q.prompt, q.id in conflicted),
                    cell(q.answer),
                    cell(q.owner),
                ],
            )
            for q in self.session.questions
        ]
        self.query_one(ItemTable).fill(rows, select)
        self.show_detail()

    @on(DataTable.RowHighlighted, "#questions")
    def show_detail(self) -> None:
        question = self.selected_item()
        detail = self.query_one("#question-detail", Static)
        if question is None:
            detail.update(Content("No questions yet: press a to add one."))
            return
        answer = (
            safe_block(question.answer)
            if question.answer
            else Content.styled("(no answer yet — press Enter to write it)", "dim italic")
        )
        waiting = notes(self.session, "questions", question.id)  # a merge kept theirs too
        detail.update(Content("\n").join([safe(question.prompt, "bold"), *waiting, answer]))

    def action_add_item(self) -> None:
        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            if not values["status"]:
                values["status"] = "answered" if values["answer"].strip() else "open"
            question = Question(id=self.session.new_id("q"), **values)
            self.session.questions.append(question)
            self.changed(f"add question {question.prompt}")
            self.refresh_questions(select=question.id)

        self.app.push_screen(FormScreen("New question", question_fields(new=True), {}), done)

    def action_edit_item(self) -> None:
        question = self.selected_item()
        if question is None:
            self.action_add_item()
            return
        values = {f.name: getattr(question, f.name) for f in question_fields()}
        if question.status == "open":
            values["status"] = "answered"  # opening a question to answer it

        def done(result: dict[str, Any] | None) -> None:
            if result is None:
                return
            if not result["answer"].strip() and result["status"] == "answered":
                result["status"] = question.status if question.status != "answered" else "open"
            for name, value in result.items():
                setattr(question, name, value)
            self.changed(f"answer {question.prompt}")
            self.refresh_questions(select=question.id)

        self.app.push_screen(
            FormScreen(
                fmt("Answer: $q", q=question.prompt),
                question_fields(),
                values,
                focus="answer",  # Enter on a question is to answer it, not to retitle it
            ),
            done,
        )

    def action_cycle_status(self) -> None:
        question = self.selected_item()
        if question is None:
            return
        index = QUESTION_STATUSES.index(question.status)
        question.status = QUESTION_STATUSES[(index + 1) % len(QUESTION_STATUSES)]
        self.changed(f"mark {question.status}: {question.prompt}")
        self.refresh_questions(select=question.id)
