"""The bottom tab bar phones show (as 浙里办 has): which tabs each role gets and which pages light each one.

A tab names its label and icon by `name` (templates/_tabbar.html draws them); `pages` are the
endpoints it stands for, an entry ending in "." standing for a whole blueprint.
"""

from dataclasses import dataclass

from services.models import Role


@dataclass(frozen=True)
class Tab:
    name: str
    endpoint: str
    pages: tuple[str, ...]


MESSAGES = Tab("messages", "inbox.index", ("inbox.",))
ME = Tab("me", "account.profile", ("account.",))
APPLICANT_TABS = (
    Tab("services", "guide.index", ("guide.",)),
    Tab("applications", "citizen.applications", ("citizen.", "disputes.")),
    Tab("wallet", "citizen.wallet", ("citizen.wallet", "wallet.")),
    MESSAGES,
    ME,
)
# A firm's enterprise requests (企呼我应) sit under its applications' tab: what it asked of the government.
COMPANY_TABS = tuple(
    Tab(tab.name, tab.endpoint, (*tab.pages, "firm.")) if tab.name == "applications" else tab for tab in APPLICANT_TABS
)
# Staff on a phone get what they act on away from a desk; the rest of their menu stays behind "Menu".
TABS: dict[str, tuple[Tab, ...]] = {
    Role.CITIZEN: APPLICANT_TABS,
    Role.COMPANY: COMPANY_TABS,
    Role.FRONT_DESK: (
        Tab("acceptance", "desk.queue", ("desk.queue", "desk.review", "centre.")),
        Tab("deliveries", "desk.deliveries", ("desk.deliveries",)),
        Tab("verify", "wallet.verify", ("wallet.",)),
        MESSAGES,
        ME,
    ),
    Role.CLERK: (
        Tab("department_queue", "clerk.queue", ("clerk.queue", "mediation.")),
        Tab("my_tasks", "clerk.inbox", ("clerk.",)),
        MESSAGES,
        ME,
    ),
    Role.SUPERVISOR: (
        Tab("dashboard", "supervisor.dashboard", ("supervisor.",)),
        Tab("rectifications", "supervisor.rectifications", ("supervisor.rectifications",)),
        MESSAGES,
        ME,
    ),
}


def tabs_for(role: str | None) -> tuple[Tab, ...]:
    """None for visitors who are not signed in: they keep the menu."""
    return TABS.get(role, ()) if role else ()


def _matches(page: str, endpoint: str) -> bool:
    return endpoint.startswith(page) if page.endswith(".") else endpoint == page


def active_tab(tabs: tuple[Tab, ...], endpoint: str | None) -> Tab | None:
    """The tab a page belongs to: a tab naming the endpoint itself wins over one naming its blueprint."""
    if not endpoint:
        return None
    exact = [tab for tab in tabs if endpoint in tab.pages]
    if exact:
        return exact[0]
    return next((tab for tab in tabs if any(_matches(page, endpoint) for page in tab.pages)), None)
