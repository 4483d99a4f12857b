"""Our own corpus of XLSForms (issue 26): forms written with openpyxl in the shapes Kobo and ODK produce and
people write by hand, together exercising every feature the import takes. Each entry is (name, workbook,
media files). tests/unit/test_xlsform_corpus.py imports every one, writes it back, has pyxform read the
export and imports that again."""

from __future__ import annotations

from tests.xlsform_books import workbook

EN, ZH = "label::English (en)", "label::中文 (zh)"
FR, SW = "label::Français (fr)", "label::Kiswahili (sw)"

KOBO_DEFAULT = workbook(
    [
        ["type", "name", EN, ZH, "required", "relevant", "hint::English (en)", "appearance", "calculation"],
        ["start", "start", "", "", "", "", "", "", ""],
        ["end", "end", "", "", "", "", "", "", ""],
        ["today", "today", "", "", "", "", "", "", ""],
        ["deviceid", "deviceid", "", "", "", "", "", "", ""],
        ["username", "username", "", "", "", "", "", "", ""],
        ["audit", "audit", "", "", "", "", "", "", ""],
        ["select_one yes_no", "resident", "Do you live here?", "您住在这里吗？", "true", "", "", "", ""],
        ["begin_group", "visit", "About the visit", "关于这次来访", "", "${resident} = 'yes'", "", "", ""],
        ["integer", "years", "Years lived here", "居住年数", "false", "", "Whole years", "", ""],
        ["decimal", "rent", "Monthly fee (yuan)", "每月物业费（元）", "false", "", "", "", ""],
        ["select_one reasons or_other", "why", "Main reason", "主要原因", "false", "", "", "minimal", ""],
        ["text", "remarks", "Remarks", "备注", "false", "", "", "multiline", ""],
        ["note", "thanks", "Thank you", "谢谢", "", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", ""],
        ["calculate", "long_stay", "", "", "", "", "", "", "if(${years} >= 10, 'yes', 'no')"],
    ],
    [
        ["list_name", "name", EN, ZH],
        ["yes_no", "yes", "Yes", "是"],
        ["yes_no", "no", "No", "否"],
        ["reasons", "price", "Price", "价格"],
        ["reasons", "service", "Service", "服务"],
    ],
    [
        ["form_title", "form_id", "version", "default_language"],
        ["Kobo default", "kobo_default", "2", "English (en)"],
    ],
)  # fmt: skip

ODK_MULTILANG = workbook(
    [
        ["type", "name", EN, FR, SW, "hint::English (en)", "hint::Français (fr)", "hint::Kiswahili (sw)",
         "required", "required_message::English (en)", "required_message::Français (fr)",
         "required_message::Kiswahili (sw)", "constraint", "constraint_message::English (en)",
         "constraint_message::Français (fr)", "constraint_message::Kiswahili (sw)"],
        ["integer", "age", "Your age", "Votre âge", "Umri wako", "In years", "En années", "Kwa miaka", "yes",
         "Please give your age", "Indiquez votre âge", "Tafadhali taja umri", ". >= 18", "18 or over",
         "18 ans ou plus", "Miaka 18 au zaidi"],
        ["select_multiple services", "used", "Services used", "Services utilisés", "Huduma ulizotumia", "",
         "", "", "no", "", "", "", "", "", "", ""],
        ["text", "comment", "Comment", "Commentaire", "Maoni", "", "", "", "no", "", "", "",
         "string-length(.) <= 300", "At most 300 characters", "300 caractères au plus", "Herufi 300 tu", ],
    ],
    [
        ["list_name", "name", EN, FR, SW],
        ["services", "water", "Water", "Eau", "Maji"],
        ["services", "power", "Power", "Électricité", "Umeme"],
    ],
    [["form_title", "form_id", "default_language"], ["Multilingual", "odk_multilang", "Français (fr)"]],
)  # fmt: skip

GERMAN_ONLY = workbook(
    [
        ["type", "name", "label::Deutsch (de)", "required"],
        ["select_one jn", "zufrieden", "Sind Sie zufrieden?", "yes"],
        ["text", "warum", "Warum?", "no"],
    ],
    [["list_name", "name", "label::Deutsch (de)"], ["jn", "yes", "Ja"], ["jn", "no", "Nein"]],
    [["form_title", "form_id"], ["Umfrage", "umfrage"]],
)

HAND_WRITTEN = workbook(
    [
        ["TYPE", "Name", "label:English", "LABEL::中文 (zh)", "Relevant", "repeat_count", "Constraint"],
        ["get start time", "started", "", "", "", "", ""],
        ["add note prompt", "Intro", "Welcome", "欢迎", "", "", ""],
        ["select one from yn", "Lives_Here", "Do you live here?", "您住在这里吗？", "", "", ""],
        ["add select one prompt using yn", "Owner", "Do you own it?", "是业主吗？", "", "", ""],
        ["q int", "Rooms", "Rooms", "房间数", "", "", ""],
        ["trigger", "Ok", "I understand", "我明白", "", "", ""],
        ["add date time prompt", "Moved_In", "Moved in", "入住时间", "", "", ""],
        ["begin group", "Rating", "Rating", "评价", "${Lives_Here} = 'yes'", "", ""],
        ["select all that apply from issues", "Issues", "Which issues?", "哪些问题？", "", "", ""],
        ["string", "Why", "Why?", "为什么？", "count-selected(${Issues}) > 0", "", "string-length(.) <= 200"],
        ["int", "Floors", "Floors", "楼层数", "", "", ". <= 60"],
        ["end group", "", "", "", "", "", ""],
    ],
    [
        ["list name", "name", "label:English", "label::中文 (zh)"],
        ["yn", "yes", "Yes", "是"],
        ["yn", "no", "No", "否"],
        ["issues", "lift", "Lifts", "电梯"],
        ["issues", "noise", "Noise", "噪音"],
    ],
    [["form_title", "form_id", "version"], ["Hand written", "hand_written", "20240515143545"]],
)  # fmt: skip

HOUSEHOLD_ROSTER = workbook(
    [
        ["type", "name", "label", "required", "repeat_count", "relevant", "calculation"],
        ["integer", "hh_size", "How many people live here?", "yes", "", "", ""],
        ["begin repeat", "member", "Member", "", "${hh_size}", "", ""],
        ["text", "m_name", "First name", "yes", "", "", ""],
        ["integer", "m_age", "Age", "yes", "", "", ""],
        ["calculate", "m_no", "", "", "", "", "position(..)"],
        ["select_one yn", "m_school", "At school?", "no", "", "${m_age} < 18", ""],
        ["end repeat", "", "", "", "", "", ""],
        ["begin repeat", "visit", "Visits by staff", "", "", "", ""],
        ["date", "v_date", "Date", "yes", "", "", ""],
        ["end repeat", "", "", "", "", "", ""],
        ["calculate", "years", "", "", "", "", "sum(${m_age})"],
        ["note", "big", "A large household", "", "", "count(${member}) > 5", ""],
    ],
    [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    [["form_title", "form_id"], ["Household roster", "household_roster"]],
)  # fmt: skip

CASCADING = workbook(
    [
        ["type", "name", "label", "choice_filter"],
        ["select_one county", "county", "County", ""],
        ["select_one sub", "sub", "Sub-county", "county = ${county}"],
        ["select_multiple crop", "grown", "Crops grown", ""],
        ["select_one crop", "main", "Main crop", "selected(${grown}, name)"],
        ["select_one_from_file towns.csv", "town", "Town", "sub = ${sub}"],
    ],
    [
        ["list_name", "name", "label", "county"],
        ["county", "nairobi", "Nairobi", ""],
        ["county", "mombasa", "Mombasa", ""],
        ["sub", "westlands", "Westlands", "nairobi"],
        ["sub", "nyali", "Nyali", "mombasa"],
        ["crop", "maize", "Maize", ""],
        ["crop", "tea", "Tea", ""],
    ],
    [["form_title", "form_id"], ["Cascading", "cascading"]],
)
TOWNS = b"name,label,sub\nparklands,Parklands,westlands\nkangemi,Kangemi,westlands\nbamburi,Bamburi,nyali\n"

TYPES_AND_TIME = workbook(
    [
        ["type", "name", "label", "required", "parameters", "calculation", "relevant"],
        ["geopoint", "gate", "Where is the gate?", "no", "", "", ""],
        ["date", "visited", "Day of the visit", "yes", "", "", ""],
        ["dateTime", "arrived", "Arrived at", "no", "", "", ""],
        ["time", "left", "Left at", "no", "", "", ""],
        ["range", "noise", "How noisy (0-10)?", "no", "start=0 end=10 step=1", "", ""],
        ["acknowledge", "consent", "I agree to take part", "yes", "", "", ""],
        ["image", "photo", "A photo of the lobby", "no", "", "", ""],
        ["calculate", "day", "", "", "", "today()", ""],
        ["calculate", "stamp", "", "", "", "once(format-date(now(), '%Y-%m-%d %H:%M'))", ""],
        ["calculate", "key", "", "", "", "once(uuid())", ""],
        ["calculate", "label", "", "", "", "concat('v', round(${noise} div 2, 0))", ""],
        ["note", "late", "That was a late visit", "", "", "", "${visited} < today()"],
    ],
    settings=[["form_title", "form_id"], ["Types and time", "types_and_time"]],
)  # fmt: skip

SCORED_SURVEY = workbook(
    [
        ["type", "name", ZH, EN, "dimension", "reverse", "pair", "required"],
        ["select_one agree", "q1", "电梯运行正常", "The lifts work", "lifts", "", "", "yes"],
        ["select_one agree", "q2", "电梯经常出故障", "The lifts break down", "lifts", "yes", "q1", "yes"],
        ["select_one agree", "q3", "保洁及时", "Cleaning is prompt", "cleaning", "", "", "yes"],
        ["select_one yn", "q4", "是否见过保洁员", "Have you seen the cleaners?", "cleaning", "", "", "yes"],
    ],
    [
        ["list_name", "name", ZH, EN],
        *[["agree", str(n), z, e] for n, (z, e) in enumerate(
            [("非常不同意", "Strongly disagree"), ("不同意", "Disagree"), ("一般", "Neutral"),
             ("同意", "Agree"), ("非常同意", "Strongly agree")], start=1)],
        ["yn", "yes", "是", "Yes"],
        ["yn", "no", "否", "No"],
    ],
    [["form_title", "form_id", "title_en"], ["物业满意度", "scored_survey", "Estate satisfaction"]],
)  # fmt: skip

CORPUS: list[tuple[str, bytes, dict[str, bytes]]] = [
    ("kobo_default", KOBO_DEFAULT, {}),
    ("odk_multilang", ODK_MULTILANG, {}),
    ("german_only", GERMAN_ONLY, {}),
    ("hand_written", HAND_WRITTEN, {}),
    ("household_roster", HOUSEHOLD_ROSTER, {}),
    ("cascading", CASCADING, {"towns.csv": TOWNS}),
    ("types_and_time", TYPES_AND_TIME, {}),
    ("scored_survey", SCORED_SURVEY, {}),
]
