"""The journeys fill the application form by the names the form renders, and the server reads what they send."""

from sqlmodel import select

from journeys.clients import FlaskClient
from journeys.model import Actor
from journeys.page_transport import PageTransport
from journeys.pages import Page
from journeys.people import Account
from journeys.transport import Case, Filling
from services.applications.form_names import field_name, step_paths, supplement_file_name, supplement_prefix
from services.models import Application, Attachment
from tests.factories import PASSWORD, make_citizen
from tests.sample import complete_values, newborn
from web.forms.followup import SupplementForm


class RecordingClient(FlaskClient):
    """The in-process client, remembering the names of every form it posts."""

    def __init__(self, test_client):
        super().__init__(test_client)
        self.posted: list[tuple[str, set[str], set[str]]] = []

    def post(self, path, data, files=None):
        self.posted.append((path, set(data), set(files or {})))
        return super().post(path, data, files)


def test_the_page_transport_sends_the_application_form_by_the_names_it_renders(web, db, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(db)
    web.login(citizen.login_name)
    client = RecordingClient(web.client)
    transport = PageTransport(lambda: client)
    account = Account(Actor("applicant", "citizen", 1), citizen.login_name, PASSWORD)
    case = Case("newborn", bundle, "applicant", lookup=dict)
    typed = complete_values(bundle)

    outcome = transport.apply(account, case, Filling(fields=typed, auto_materials=True))

    assert outcome.ok, outcome.message
    # A bundle is filled in over its steps: together they render every answer once, and each is sent as rendered.
    rendered_fields: set[str] = set()
    rendered_files: set[str] = set()
    posted = {path: (fields, files) for path, fields, files in client.posted}
    for path in step_paths(case.key, bundle):
        form = Page(200, path, web.get(path).get_data(as_text=True))
        # Beside the answers a page carries its token, the delivery choice and the language switch's return path.
        fields = set(form.form_values()) - {"csrf_token", "action", "delivery_method", "next"}
        assert not fields & rendered_fields, "an answer is asked on two steps"
        rendered_fields |= fields
        rendered_files |= set(form.file_inputs())
        sent_fields, sent_files = posted[path]
        assert fields <= sent_fields and sent_files == set(form.file_inputs())
    assert rendered_fields == {field_name(spec.key) for spec in bundle.fields} and rendered_files
    # The server took every answer and every upload under those names.
    application = db.exec(select(Application).where(Application.key == case.key)).one()
    own = {spec.key for spec in bundle.fields if not spec.from_account}
    assert {key: application.form_data.get(key) for key in own} == {key: typed[key] for key in own}
    uploaded = db.exec(select(Attachment.material_key).where(Attachment.application_id == application.id)).all()
    assert len(set(uploaded)) == len(rendered_files)


def test_the_supplement_form_names_its_file_input_as_the_transports_send_it(app):
    with app.test_request_context():
        form = SupplementForm(prefix=supplement_prefix("personnel_file"), meta={"csrf": False})
    assert form.file.name == supplement_file_name("personnel_file") == "supplement_personnel_file-file"
