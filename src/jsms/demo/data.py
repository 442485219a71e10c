"""The demo data set: real public facts (sites at their public coordinates, the units that
guard them, the 2024 security MoU), and fictional people.

Coordinates are the public locations of the projects, rounded to about 100 m; where a
project spans a long road or line, the point is a camp or section on it. No personal data
of real individuals: every protected person is generated (see loader.py).
"""

from dataclasses import dataclass

# Organisations: key → (party, kind, name, name_zh, short name, parent key)
ORGANISATIONS: dict[str, tuple[str, str, str, str | None, str | None, str | None]] = {
    "moi": ("host", "ministry", "Ministry of Interior", "内政部", "MoI", None),
    "moi_cpec_cell": ("host", "agency", "CPEC Security Cell, Ministry of Interior", "内政部中巴经济走廊安全处", "CPEC Cell", "moi"),
    "planning": ("host", "ministry", "Ministry of Planning, Development and Special Initiatives", "计划发展和特别倡议部", "MoPD&SI", None),
    "jwg_secretariat": ("host", "secretariat", "Joint Working Group on Security — Secretariat", "安全联合工作组秘书处", "JWG Sec", "planning"),
    "army": ("host", "armed_forces", "Pakistan Army", "巴基斯坦陆军", "PA", None),
    "navy": ("host", "armed_forces", "Pakistan Navy", "巴基斯坦海军", "PN", None),
    "punjab_police": ("host", "police", "Punjab Police", "旁遮普省警察", None, None),
    "sindh_police": ("host", "police", "Sindh Police", "信德省警察", None, None),
    "kp_police": ("host", "police", "Khyber Pakhtunkhwa Police", "开普省警察", None, None),
    "balochistan_police": ("host", "police", "Balochistan Police", "俾路支省警察", None, None),
    "gb_police": ("host", "police", "Gilgit-Baltistan Police", "吉尔吉特-巴尔蒂斯坦警察", None, None),
    "ict_police": ("host", "police", "Islamabad Capital Territory Police", "伊斯兰堡首都区警察", None, None),
    "fwo": ("host", "company", "Frontier Works Organization", "边境工程组织", "FWO", None),
    "embassy": ("partner", "embassy", "Embassy of the People's Republic of China in Pakistan", "中华人民共和国驻巴基斯坦大使馆", "PRC Embassy", None),
    "consulate_karachi": ("partner", "consulate", "Consulate General of China in Karachi", "中国驻卡拉奇总领事馆", None, "embassy"),
    "consulate_lahore": ("partner", "consulate", "Consulate General of China in Lahore", "中国驻拉合尔总领事馆", None, "embassy"),
    "cophc": ("partner", "company", "China Overseas Port Holding Company", "中国海外港口控股有限公司", "COPHC", None),
    "cccc": ("partner", "company", "China Communications Construction Company", "中国交通建设股份有限公司", "CCCC", None),
    "ctg": ("partner", "company", "China Three Gorges Corporation", "中国长江三峡集团", "CTG", None),
    "cggc": ("partner", "company", "China Gezhouba Group Company", "中国葛洲坝集团", "CGGC", None),
    "powerchina": ("partner", "company", "Power Construction Corporation of China", "中国电力建设集团", "PowerChina", None),
    "cmec": ("partner", "company", "China Machinery Engineering Corporation", "中国机械设备工程股份有限公司", "CMEC", None),
    "shanghai_electric": ("partner", "company", "Shanghai Electric Group", "上海电气集团", None, None),
    "huaneng": ("partner", "company", "Huaneng Shandong Ruyi (Pakistan) Energy", "华能山东如意（巴基斯坦）能源", None, None),
    "cpih": ("partner", "company", "China Power International Holding", "中国电力国际控股", "CPIH", None),
    "mcc": ("partner", "company", "Metallurgical Corporation of China", "中国冶金科工集团", "MCC", None),
    "cr_norinco": ("partner", "company", "China Railway – Norinco International consortium", "中铁—北方国际联合体", "CR-NORINCO", None),
    "crbc": ("partner", "company", "China Road and Bridge Corporation", "中国路桥工程有限责任公司", "CRBC", None),
    "cscec": ("partner", "company", "China State Construction Engineering Corporation", "中国建筑集团", "CSCEC", None),
    "cnnc": ("partner", "company", "China National Nuclear Corporation", "中国核工业集团", "CNNC", None),
    "state_grid": ("partner", "company", "State Grid Corporation of China", "国家电网公司", "SGCC", None),
    "zonergy": ("partner", "company", "Zonergy Company", "中兴能源", None, None),
    "confucius_ku": ("partner", "company", "Confucius Institute at the University of Karachi", "卡拉奇大学孔子学院", "CI-KU", "consulate_karachi"),
}

# Units: key → (parent org key, kind, name, name_zh, call sign, strength, province, hq lat, hq lon)
UNITS: dict[str, tuple[str, str, str, str, str, int, str, float, float]] = {
    "ssd_north": ("army", "security_division", "Special Security Division North (34th Light Infantry Division)",
                  "特别安全师（北）第34轻步兵师", "SSD-N", 7500, "PK-PB", 33.5973, 73.0479),
    "ssd_south": ("army", "security_division", "Special Security Division South (44th Light Infantry Division)",
                  "特别安全师（南）第44轻步兵师", "SSD-S", 7500, "PK-BA", 25.1264, 62.3225),
    "tf88": ("navy", "naval_task_force", "Task Force-88 (Gwadar port and sea lanes)", "第88特遣部队", "TF-88",
             1500, "PK-BA", 25.1180, 62.3300),
    "spu_punjab": ("punjab_police", "province_protection_unit", "Special Protection Unit Punjab",
                   "旁遮普省特别保护部队", "SPU-P", 4000, "PK-PB", 31.5204, 74.3587),
    "ssu_sindh": ("sindh_police", "province_protection_unit", "Special Security Unit Sindh",
                  "信德省特别安全部队", "SSU-S", 2500, "PK-SD", 24.8607, 67.0011),
    "spu_kp": ("kp_police", "province_protection_unit", "Special Protection Unit Khyber Pakhtunkhwa",
               "开普省特别保护部队", "SPU-KP", 3000, "PK-KP", 34.0151, 71.5249),
    "spu_balochistan": ("balochistan_police", "province_protection_unit", "Special Protection Unit Balochistan",
                        "俾路支省特别保护部队", "SPU-B", 1200, "PK-BA", 30.1798, 66.9750),
    "spu_gb": ("gb_police", "province_protection_unit", "Special Protection Unit Gilgit-Baltistan",
               "吉尔吉特-巴尔蒂斯坦特别保护部队", "SPU-GB", 600, "PK-GB", 35.9208, 74.3144),
    "ict_spu": ("ict_police", "police", "Islamabad Police Special Protection Unit", "伊斯兰堡警察特别保护部队",
                "ICT-SPU", 500, "PK-IS", 33.7294, 73.0931),
    "gwadar_police": ("balochistan_police", "police", "Gwadar District Police", "瓜达尔县警察", "GWD-POL",
                      800, "PK-BA", 25.1216, 62.3254),
}

# Units' areas of responsibility: the provinces each covers (TF-88: the sea approaches to Gwadar).
UNIT_AREAS: dict[str, tuple[str, ...]] = {
    "ssd_north": ("PK-KP", "PK-GB", "PK-PB", "PK-IS", "PK-JK"),
    "ssd_south": ("PK-BA", "PK-SD"),
    "spu_punjab": ("PK-PB",), "ssu_sindh": ("PK-SD",), "spu_kp": ("PK-KP",),
    "spu_balochistan": ("PK-BA",), "spu_gb": ("PK-GB",), "ict_spu": ("PK-IS",),
}
TF88_SEA_AREA = [[61.60, 24.55], [63.40, 24.55], [63.40, 25.10], [62.60, 25.15], [61.60, 25.05], [61.60, 24.55]]

# Projects: key → (name, name_zh, programme, sector, status, sponsor org key)
PROJECTS: dict[str, tuple[str, str, str, str, str, str | None]] = {
    "gwadar_port": ("Gwadar Port and Free Zone", "瓜达尔港及自由区", "corridor", "port", "operational", "cophc"),
    "ngia": ("New Gwadar International Airport", "新瓜达尔国际机场", "corridor", "transport", "operational", "cccc"),
    "east_bay": ("Gwadar East Bay Expressway", "瓜达尔东湾快速路", "corridor", "transport", "completed", "cccc"),
    "gwadar_hospital": ("Pak-China Friendship Hospital, Gwadar", "瓜达尔中巴友谊医院", "corridor", "health", "operational", "cophc"),
    "karot": ("Karot Hydropower Project (720 MW)", "卡洛特水电站", "corridor", "energy", "operational", "ctg"),
    "suki_kinari": ("Suki Kinari Hydropower Project (884 MW)", "苏基克纳里水电站", "corridor", "energy", "operational", "cggc"),
    "kohala": ("Kohala Hydropower Project (1,124 MW)", "科哈拉水电站", "corridor", "energy", "planned", "ctg"),
    "thar_ii": ("Thar Coal Block II mine and power plants", "塔尔煤田二区煤矿及电站", "corridor", "energy", "operational", "cmec"),
    "thar_i": ("Thar Coal Block I integrated project", "塔尔煤田一区煤电一体化项目", "corridor", "energy", "operational", "shanghai_electric"),
    "port_qasim": ("Port Qasim Coal Power Plant (1,320 MW)", "卡西姆港燃煤电站", "corridor", "energy", "operational", "powerchina"),
    "sahiwal": ("Sahiwal Coal Power Plant (1,320 MW)", "萨希瓦尔燃煤电站", "corridor", "energy", "operational", "huaneng"),
    "hub": ("China Power Hub Generation (1,320 MW)", "中电胡布电站", "corridor", "energy", "operational", "cpih"),
    "orange_line": ("Lahore Orange Line Metro Train", "拉合尔轨道交通橙线", "corridor", "transport", "operational", "cr_norinco"),
    "kkh_ii": ("Karakoram Highway Phase II (Havelian–Thakot)", "喀喇昆仑公路二期（赫韦利扬—塔科特）", "corridor", "transport", "completed", "crbc"),
    "kkh_attabad": ("Karakoram Highway realignment at Attabad", "喀喇昆仑公路阿塔巴德改线", "corridor", "transport", "completed", "crbc"),
    "m5": ("Multan–Sukkur Motorway (M-5)", "白沙瓦—卡拉奇高速公路（木尔坦—苏库尔段）", "corridor", "transport", "completed", "cscec"),
    "hvdc": ("Matiari–Lahore ±660 kV HVDC transmission line", "默蒂亚里—拉合尔±660千伏直流输电工程", "corridor", "energy", "operational", "state_grid"),
    "rashakai": ("Rashakai Special Economic Zone", "拉沙卡伊特别经济区", "corridor", "industry", "under_construction", "crbc"),
    "qa_solar": ("Quaid-e-Azam Solar Park", "真纳太阳能园区", "corridor", "energy", "operational", "zonergy"),
    "jhimpir": ("Jhimpir wind power (Hydrochina Dawood)", "吉姆皮尔风电（水电顾问达乌德）", "corridor", "energy", "operational", "powerchina"),
    "dasu": ("Dasu Hydropower Project (4,320 MW)", "达苏水电站", "non_corridor", "energy", "under_construction", "cggc"),
    "diamer_bhasha": ("Diamer-Bhasha Dam", "迪阿莫—巴沙大坝", "non_corridor", "water", "under_construction", "powerchina"),
    "mohmand": ("Mohmand Dam", "莫赫曼德大坝", "non_corridor", "water", "under_construction", "cggc"),
    "tarbela_5": ("Tarbela 5th Extension Hydropower", "塔贝拉水电站五期扩建", "non_corridor", "energy", "under_construction", "powerchina"),
    "neelum_jhelum": ("Neelum–Jhelum Hydropower Plant", "尼鲁姆—杰赫勒姆水电站", "non_corridor", "energy", "operational", "cggc"),
    "saindak": ("Saindak Copper-Gold Project", "山达克铜金矿", "non_corridor", "mining", "operational", "mcc"),
    "k2k3": ("Karachi Nuclear Power Plant Units 2 and 3", "卡拉奇核电站2号、3号机组", "non_corridor", "energy", "operational", "cnnc"),
    "chashma": ("Chashma Nuclear Power Plant Unit 5", "恰希玛核电站5号机组", "non_corridor", "energy", "under_construction", "cnnc"),
    "confucius": ("Confucius Institute at the University of Karachi", "卡拉奇大学孔子学院", "non_corridor", "education", "operational", "confucius_ku"),
}


@dataclass(frozen=True)
class DemoSite:
    key: str
    name: str
    name_zh: str
    kind: str
    tier: int
    lat: float
    lon: float
    project: str | None
    unit: str
    owner: str | None


SITES: tuple[DemoSite, ...] = (
    DemoSite("gwadar_port", "Gwadar Port", "瓜达尔港", "port", 1, 25.1120, 62.3280, "gwadar_port", "tf88", "cophc"),
    DemoSite("gwadar_fz", "Gwadar Free Zone (North)", "瓜达尔自由区北区", "industrial_zone", 2, 25.1800, 62.4100, "gwadar_port", "ssd_south", "cophc"),
    DemoSite("gwadar_camp", "Gwadar port workers' camp", "瓜达尔港员工营地", "camp", 1, 25.1450, 62.3400, "gwadar_port", "ssd_south", "cophc"),
    DemoSite("ngia", "New Gwadar International Airport", "新瓜达尔国际机场", "airport", 1, 25.2750, 62.5700, "ngia", "ssd_south", "cccc"),
    DemoSite("east_bay", "Gwadar East Bay Expressway", "瓜达尔东湾快速路", "road_section", 2, 25.1280, 62.3650, "east_bay", "gwadar_police", "cccc"),
    DemoSite("gwadar_hospital", "Pak-China Friendship Hospital, Gwadar", "瓜达尔中巴友谊医院", "hospital", 2, 25.1350, 62.3250, "gwadar_hospital", "gwadar_police", "cophc"),
    DemoSite("karot", "Karot Hydropower Project", "卡洛特水电站", "dam", 1, 33.6040, 73.6090, "karot", "spu_punjab", "ctg"),
    DemoSite("suki_kinari", "Suki Kinari Hydropower Project", "苏基克纳里水电站", "dam", 1, 34.7900, 73.5400, "suki_kinari", "spu_kp", "cggc"),
    DemoSite("kohala", "Kohala Hydropower Project", "科哈拉水电站", "dam", 2, 34.1200, 73.4950, "kohala", "ssd_north", "ctg"),
    DemoSite("dasu", "Dasu Hydropower Project (dam site)", "达苏水电站坝址", "dam", 1, 35.3150, 73.2250, "dasu", "ssd_north", "cggc"),
    DemoSite("dasu_camp", "Dasu project camp, Barseen", "达苏项目巴尔辛营地", "camp", 1, 35.2700, 73.2600, "dasu", "ssd_north", "cggc"),
    DemoSite("diamer_bhasha", "Diamer-Bhasha Dam", "迪阿莫—巴沙大坝", "dam", 1, 35.5200, 73.7400, "diamer_bhasha", "ssd_north", "powerchina"),
    DemoSite("mohmand", "Mohmand Dam", "莫赫曼德大坝", "dam", 1, 34.3560, 71.5500, "mohmand", "spu_kp", "cggc"),
    DemoSite("tarbela", "Tarbela 5th Extension", "塔贝拉水电站五期", "dam", 2, 34.0860, 72.6970, "tarbela_5", "spu_kp", "powerchina"),
    DemoSite("neelum_jhelum", "Neelum–Jhelum powerhouse, Chattar Kalas", "尼鲁姆—杰赫勒姆水电站厂房", "dam", 2, 34.2960, 73.4690, "neelum_jhelum", "ssd_north", "cggc"),
    DemoSite("thar_ii", "Thar Coal Block II", "塔尔煤田二区", "mine", 1, 24.7850, 70.3050, "thar_ii", "ssu_sindh", "cmec"),
    DemoSite("thar_i", "Thar Coal Block I", "塔尔煤田一区", "mine", 1, 24.8600, 70.4100, "thar_i", "ssu_sindh", "shanghai_electric"),
    DemoSite("port_qasim", "Port Qasim Coal Power Plant", "卡西姆港燃煤电站", "power_plant", 1, 24.7850, 67.3550, "port_qasim", "ssu_sindh", "powerchina"),
    DemoSite("sahiwal", "Sahiwal Coal Power Plant", "萨希瓦尔燃煤电站", "power_plant", 1, 30.6250, 73.1850, "sahiwal", "spu_punjab", "huaneng"),
    DemoSite("hub", "China Power Hub Generation plant", "中电胡布电站", "power_plant", 1, 24.9100, 66.6950, "hub", "spu_balochistan", "cpih"),
    DemoSite("saindak", "Saindak Copper-Gold Project", "山达克铜金矿", "mine", 1, 29.2700, 61.5700, "saindak", "ssd_south", "mcc"),
    DemoSite("orange_line", "Lahore Orange Line, Dera Gujran depot", "拉合尔橙线德拉古杰兰车辆段", "road_section", 2, 31.5830, 74.4140, "orange_line", "spu_punjab", "cr_norinco"),
    DemoSite("kkh_ii", "Karakoram Highway Phase II, Mansehra section", "喀喇昆仑公路二期曼塞赫拉段", "road_section", 2, 34.4000, 73.1900, "kkh_ii", "spu_kp", "crbc"),
    DemoSite("kkh_attabad", "Karakoram Highway, Attabad tunnels", "喀喇昆仑公路阿塔巴德隧道", "road_section", 2, 36.3300, 74.8700, "kkh_attabad", "spu_gb", "crbc"),
    DemoSite("m5", "Multan–Sukkur Motorway, Rahim Yar Khan camp", "木苏高速拉希姆亚尔汗营地", "road_section", 2, 28.4200, 70.3000, "m5", "spu_punjab", "cscec"),
    DemoSite("hvdc_matiari", "Matiari converter station (HVDC)", "默蒂亚里换流站", "power_plant", 2, 25.5700, 68.4600, "hvdc", "ssu_sindh", "state_grid"),
    DemoSite("rashakai", "Rashakai Special Economic Zone", "拉沙卡伊特别经济区", "industrial_zone", 2, 34.0600, 71.9200, "rashakai", "spu_kp", "crbc"),
    DemoSite("qa_solar", "Quaid-e-Azam Solar Park, Bahawalpur", "巴哈瓦尔布尔真纳太阳能园区", "power_plant", 2, 29.3500, 71.8500, "qa_solar", "spu_punjab", "zonergy"),
    DemoSite("jhimpir", "Jhimpir wind farm", "吉姆皮尔风电场", "power_plant", 2, 25.0600, 68.0200, "jhimpir", "ssu_sindh", "powerchina"),
    DemoSite("k2k3", "Karachi Nuclear Power Plant (K-2/K-3)", "卡拉奇核电站", "power_plant", 1, 24.8465, 66.7875, "k2k3", "ssu_sindh", "cnnc"),
    DemoSite("chashma", "Chashma Nuclear Power Plant", "恰希玛核电站", "power_plant", 1, 32.3900, 71.4600, "chashma", "spu_punjab", "cnnc"),
    DemoSite("confucius_ku", "Confucius Institute, University of Karachi", "卡拉奇大学孔子学院", "university", 1, 24.9450, 67.1180, "confucius", "ssu_sindh", "confucius_ku"),
    DemoSite("consulate_karachi", "Consulate General of China, Karachi", "中国驻卡拉奇总领事馆", "diplomatic", 1, 24.8140, 67.0310, None, "ssu_sindh", "consulate_karachi"),
    DemoSite("embassy", "Embassy of China, Diplomatic Enclave, Islamabad", "中国驻巴基斯坦大使馆", "diplomatic", 1, 33.7270, 73.1140, None, "ict_spu", "embassy"),
    DemoSite("karachi_airport", "Jinnah International Airport, Karachi", "卡拉奇真纳国际机场", "airport", 2, 24.9065, 67.1608, None, "ssu_sindh", None),
)

# The 2024 security MoU and the equipment it provides (about twenty fire-fighting trucks).
# Signing dates here are illustrative (month and year as publicly reported, day approximate).
SECURITY_MOU_2024 = {
    "title": "Memorandum of Understanding on the security of Chinese personnel, projects and institutions (2024)",
    "title_zh": "关于中方人员、项目和机构安全的谅解备忘录（2024年）",
    "kind": "mou", "status": "in_force", "signed_on": "2024-06-07",
    "summary": "Enhanced protection of Chinese nationals and projects; donation of protective equipment "
               "to the host's security forces.",
    "items": [
        {"description": "Bulletproof vehicles", "asset_kind": "armoured_vehicle", "quantity": 6},
        {"description": "Fire-fighting trucks", "asset_kind": "fire_truck", "quantity": 20},
    ],
}
OTHER_AGREEMENTS = [
    {"title": "Agreement establishing the Joint Working Group on Safety and Security of the Corridor",
     "title_zh": "关于建立中巴经济走廊安全联合工作组的协议", "kind": "agreement", "status": "in_force",
     "signed_on": "2015-04-20", "summary": "Numbered meetings co-chaired by both parties.", "items": []},
    {"title": "Exchange of notes on the security of non-corridor projects",
     "title_zh": "关于非走廊项目安全的换文", "kind": "exchange_of_notes", "status": "in_force",
     "signed_on": "2021-10-05", "summary": "Extends the mechanism to projects outside the corridor.",
     "items": []},
]
# Which units receive the donated equipment (in order of delivery).
ARMOURED_VEHICLE_UNITS = ("ssd_north", "ssd_north", "ssd_south", "ssd_south", "ssu_sindh", "spu_punjab")
FIRE_TRUCK_UNITS = ("ssd_south",) * 5 + ("ssd_north",) * 5 + ("ssu_sindh",) * 4 + ("spu_punjab",) * 3 + ("spu_kp",) * 3
# kind, registration prefix, receiving units, delivered on, handed over on (KP's trucks still await it)
DONATION_CONSIGNMENTS = (
    ("armoured_vehicle", "BPV", ARMOURED_VEHICLE_UNITS, "2024-09-18", "2024-09-25"),
    ("fire_truck", "FFT", FIRE_TRUCK_UNITS, "2025-02-10", "2025-02-20"),
)

# Escort vehicles (police and army pick-ups and APCs) each unit keeps for convoy duty.
ESCORT_VEHICLES = {
    "ssd_north": 8,
    "ssd_south": 8,
    "ssu_sindh": 6,
    "spu_punjab": 6,
    "spu_kp": 6,
    "spu_balochistan": 4,
    "spu_gb": 4,
    "ict_spu": 4,
    "gwadar_police": 4,
}
# Company transport (coaster buses and staff cars) for the companies whose staff travel most.
COMPANY_VEHICLES = {"cggc": 3, "powerchina": 3, "cmec": 2, "cophc": 2}


@dataclass(frozen=True)
class DemoJourney:
    origin: str  # site keys
    destination: str
    days_ahead: int  # from today in Pakistan
    local_hour: int  # departure, Pakistan time
    persons: int
    purpose: str
    state: str  # draft, submitted or approved
    armoured_from: str  # the unit whose donated bulletproof vehicle carries the persons
    escort_unit: str | None = None
    escorts: int = 0
    convoy_leader: str = ""
    call_sign: str | None = None
    armoured_index: int = 0  # which of the unit's armoured vehicles
    escort_offset: int = 0  # skip the unit's first escort vehicles (busy on another journey)


JOURNEYS = (
    DemoJourney(
        "embassy",
        "dasu",
        1,
        7,
        3,
        "Embassy delegation visits the Dasu dam site for the quarterly safety review",
        "approved",
        "ssd_north",
        "ssd_north",
        3,
        "Major, 34 Light Infantry Division (convoy commander)",
        "NORTH-6",
    ),
    DemoJourney(
        "port_qasim", "thar_ii", 1, 6, 4, "Rotation of plant engineers to Thar Coal Block II", "submitted", "ssu_sindh"
    ),
    DemoJourney(
        "gwadar_port", "ngia", 2, 9, 2, "Port managers to the new airport for a departing flight", "draft", "ssd_south"
    ),
)

# Journeys that `jsms demo` starts when it serves, each vehicle driven by the simulator.
LIVE_JOURNEYS = (
    DemoJourney(
        "sahiwal",
        "orange_line",
        0,
        9,
        3,
        "Plant engineers to the Orange Line depot for the signalling handover",
        "under_way",
        "spu_punjab",
        "spu_punjab",
        3,
        "Inspector, Special Protection Unit Punjab (convoy commander)",
        "PUNJAB-3",
    ),
    DemoJourney(
        "hvdc_matiari",
        "karachi_airport",
        0,
        9,
        2,
        "Converter-station engineers to Karachi airport for their flight home",
        "under_way",
        "ssd_south",
        "ssu_sindh",
        3,
        "Deputy Superintendent, Special Security Unit Sindh (convoy commander)",
        "SINDH-7",
        armoured_index=1,
    ),
    DemoJourney(
        "kohala",
        "embassy",
        0,
        9,
        2,
        "Site managers to the embassy for the monthly security briefing",
        "under_way",
        "ssd_north",
        "ssd_north",
        3,
        "Captain, 34 Light Infantry Division (convoy commander)",
        "NORTH-9",
        armoured_index=1,
        escort_offset=4,
    ),
)

# Demo users: username → (role, organisation key, display name, language, time zone)
USERS: dict[str, tuple[str, str, str, str, str]] = {
    "host.commander": ("host_commander", "ssd_north", "Commander, Special Security Division", "en", "Asia/Karachi"),
    "host.officer": ("host_operations_officer", "ssd_north", "Operations Officer, SSD", "en", "Asia/Karachi"),
    "host.analyst": ("host_analyst", "moi_cpec_cell", "Analyst, CPEC Security Cell", "ur", "Asia/Karachi"),
    "partner.liaison": ("partner_liaison_officer", "embassy", "Liaison Officer, Embassy of China", "zh", "Asia/Shanghai"),
    "partner.representative": ("partner_representative", "embassy", "Head of Liaison Office, Embassy of China", "zh", "Asia/Shanghai"),
    "company.security": ("company_security_manager", "cophc", "Security Manager, COPHC Gwadar", "zh", "Asia/Karachi"),
    "jwg.secretary": ("working_group_secretary", "jwg_secretariat", "Secretary, Joint Working Group", "en", "Asia/Karachi"),
    "auditor": ("auditor", "moi", "Auditor, Ministry of Interior", "en", "Asia/Karachi"),
    "admin": ("administrator", "moi", "Node Administrator", "en", "Asia/Karachi"),
}

# Fictional names: surnames and given-name characters combined at random.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华建国文辉鹏宇浩凯婷雪琳晨阳博欣悦涵思雨佳嘉俊峰志海龙飞亮成斌"
JOB_TITLES = ("civil engineer", "site manager", "electrical engineer", "technician", "interpreter",
              "surveyor", "crane operator", "accountant", "safety officer", "mechanical engineer",
              "geologist", "project manager", "welder", "doctor", "teacher", "cook")

# The working groups and their recent meetings. Seats are held by office, not by (real) person.
WORKING_GROUPS = {
    "jwg_cpec": (
        "Joint Working Group on Security of CPEC", "JWG-Security", "corridor",
        "Co-chaired by the Ministry of Interior and the Chinese side; meets about every quarter.",
    ),
    "jwg_non_cpec": (
        "Joint Working Group on Security of Non-CPEC Projects", "JWG-Non-CPEC", "non_corridor",
        "Covers Chinese nationals working on projects outside the corridor.",
    ),
}
# Seats: group → (name of the office, party, organisation key, role)
GROUP_SEATS = {
    "jwg_cpec": (
        ("Additional Secretary (Interior)", "host", "moi", "co_chair"),
        ("Director-General, Public Security Liaison", "partner", "embassy", "co_chair"),
        ("Secretary of the Working Group", "host", "jwg_secretariat", "secretary"),
        ("Inspector-General, Special Security Division", "host", "ssd_north", "member"),
        ("Head of the CPEC Security Cell", "host", "moi_cpec_cell", "member"),
        ("Counsellor (Security), Embassy of China", "partner", "embassy", "member"),
        ("Consul General in Karachi", "partner", "consulate_karachi", "member"),
    ),
    "jwg_non_cpec": (
        ("Joint Secretary (Interior)", "host", "moi", "co_chair"),
        ("Minister-Counsellor, Embassy of China", "partner", "embassy", "co_chair"),
        ("Secretary of the Working Group", "host", "jwg_secretariat", "secretary"),
    ),
}
# Meetings: group → (days before today, venue, agenda); numbered in this order from 1.
GROUP_MEETINGS = {
    "jwg_cpec": (
        (700, "Ministry of Interior, Islamabad", ("Security of Chinese nationals on the Karakoram Highway", "Escort SOPs for road moves")),
        (610, "Beijing (video link from Islamabad)", ("Review of the SPU Punjab expansion", "Joint training calendar")),
        (520, "Gwadar Port Authority, Gwadar", ("Security of Gwadar port and the new airport", "Coastal highway escorts")),
        (430, "Ministry of Interior, Islamabad", ("Safe city cameras in Karachi and Lahore", "Handover of bulletproof vehicles")),
        (330, "Islamabad (video link with Beijing)", ("Lessons of the Besham attack", "Movement restrictions in Khyber Pakhtunkhwa")),
        (240, "Ministry of Interior, Islamabad", ("Review after the Karachi airport attack", "Airport arrival and departure protocols")),
        (140, "Lahore", ("Progress of the compensation cases", "Private security companies for non-CPEC sites")),
        (25, "Ministry of Interior, Islamabad", ("Threat assessment for the winter", "Joint security assessment of Dasu", "Status of open actions")),
    ),
    "jwg_non_cpec": (
        (400, "Ministry of Interior, Islamabad", ("Registration of Chinese nationals outside CPEC",)),
        (200, "Karachi", ("Security of Chinese-run factories in Sindh",)),
        (60, "Ministry of Interior, Islamabad", ("Visa and movement reporting", "Private security company standards")),
    ),
}
# Decisions and actions of the latest JWG-Security meeting: (decision, owner organisation key,
# action, due in days from today; negative: overdue).
LATEST_DECISIONS = (
    ("Escorts on the Karakoram Highway to move only in daylight until March.", "ssd_north",
     "Issue the revised daylight-movement order to all escort units", -6),
    ("A joint security assessment of the Dasu project sites before the end of the year.", "moi_cpec_cell",
     "Schedule the joint assessment of Dasu with the Chinese side", 2),
    ("Airport arrival protocol for Chinese delegations to be standardised.", "sindh_police",
     "Circulate the standard airport arrival protocol", 21),
)

# Joint security assessments: site, days ago, the answer given to most questions, the answers
# that differ, the parties that signed (both: final), findings (area, severity, text, remediation,
# owner organisation, due in days from today, closure note if closed).
ASSESSMENTS = (
    ("gwadar_port", 160, 3, {"perimeter_waterside": 2, "cctv_coverage": 4, "access_cargo": 4}, ("host", "partner"), (
        ("perimeter", "medium", "Fishing boats come within 200 m of the berths at night.",
         "Mark an exclusion line with buoys; night patrol boat.", "tf88", -90,
         "Buoys laid and a patrol boat on station from dusk to dawn."),
    )),
    ("gwadar_camp", 45, 3, {"evacuation_shelter": 1, "drills_joint": 2, "lighting_perimeter": 2}, ("host", "partner"), (
        ("evacuation", "high", "The safe room holds 60 people; 140 live in the camp.",
         "Build a second hardened shelter beside block C.", "cophc", -5, None),
        ("cctv_lighting", "medium", "Floodlights on the east wall fail when the generator starts.",
         "Put the east wall lights on the UPS circuit.", "cophc", -20, "Rewired to the UPS and tested."),
    )),
    ("dasu", 4, 3, {"perimeter_tunnels": 2, "access_explosives": 4, "guard_qrf": 2}, ("host",), (
        ("guard_force", "high", "The quick reaction force needs 40 minutes to reach the dam site.",
         "Station a QRF section at Barseen.", "ssd_north", 30, None),
    )),
)

# The Besham attack of 26 March 2024: five Chinese engineers and their Pakistani driver were killed.
# Pakistan's government approved US$2.58 million for the families of the five, US$516,000 each
# (reported April 2024). Names here are placeholders, not the victims'.
BESHAM_CASUALTIES = tuple(
    [(f"Engineer {n} (placeholder)", "CN", "Engineer, Dasu project", "cggc") for n in range(1, 6)]
    + [("Driver (placeholder)", "PK", "Driver", None)]
)
BESHAM_COMPENSATION = ("516000.00", "USD", "Per deceased, as approved by the Government of Pakistan (2024)")
DRIVER_COMPENSATION = ("10000000.00", "PKR", "Illustrative amount: per deceased employee of a contractor")
