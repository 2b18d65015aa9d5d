"""Demo accounts, one per role (seed_demo). Known sign-in details, listed in the README."""

from django.contrib.auth.models import Group

from core.models import Ward, Zone
from core.roles import Role

from . import services
from .models import User

STAFF_PASSWORD = "kcc-demo-2025"
CITIZEN_MOBILE = "01711000001"

DEMO_STAFF = [
    (Role.COUNTER_CLERK, "01711000002", "কাউন্টার ক্লার্ক", "Counter Clerk"),
    (Role.LICENCE_INSPECTOR, "01711000003", "লাইসেন্স পরিদর্শক", "Licence Inspector"),
    (Role.LICENCE_OFFICER, "01711000004", "লাইসেন্স কর্মকর্তা", "Licence Officer"),
    (Role.ASSESSOR, "01711000005", "কর নির্ধারক", "Assessor"),
    (Role.ESTATE_OFFICER, "01711000006", "এস্টেট কর্মকর্তা", "Estate Officer"),
    (Role.EBIKE_OFFICER, "01711000007", "ইজিবাইক কর্মকর্তা", "E-bike Officer"),
    (Role.WATER_OFFICER, "01711000021", "পানি কর্মকর্তা", "Water Officer"),
    (Role.METER_READER, "01711000022", "মিটার রিডার", "Meter Reader"),
    (Role.TRAFFIC_STAFF, "01711000031", "ট্রাফিক কর্মী", "Traffic Staff"),
    (Role.REVENUE_OFFICER, "01711000008", "রাজস্ব কর্মকর্তা", "Revenue Officer"),
    (Role.ADMINISTRATOR, "01711000009", "প্রশাসক", "Administrator"),
]


def seed() -> list[tuple[str, str, str]]:
    """Create or refresh the demo accounts; return (role, mobile, how to sign in) rows."""
    ward = Ward.objects.filter(number=1).first()
    zone = Zone.objects.filter(number=1).first()
    citizen = User.objects.filter(mobile=CITIZEN_MOBILE).first()
    if citizen is None:
        citizen = User.objects.create_user(mobile=CITIZEN_MOBILE)
    citizen.name_bn, citizen.name_en = "রহিম উদ্দিন", "Rahim Uddin"
    citizen.mobile_verified = True
    citizen.nid = "1234567890"
    citizen.address = "12 KDA Avenue, Khulna"
    citizen.ward = ward
    citizen.save()
    citizen.groups.set([Group.objects.get(name=Role.CITIZEN)])
    rows = [(str(Role.CITIZEN.label), CITIZEN_MOBILE, "one-time code by SMS")]
    for role, mobile, name_bn, name_en in DEMO_STAFF:
        services.user_create_staff(
            mobile=mobile,
            password=STAFF_PASSWORD,
            role=role,
            name_bn=name_bn,
            name_en=name_en,
            ward=ward if role == Role.COUNTER_CLERK else None,
            zone=zone if role in (Role.LICENCE_INSPECTOR, Role.COUNTER_CLERK) else None,
        )
        rows.append((str(role.label), mobile, f"code by SMS, then password {STAFF_PASSWORD}"))
    return rows
