"""Every concept and principle that paragraphs 5-21 of the framework name.

Kept by hand from ``shared/seeds/000_b33f537ef8695674.txt`` so that the test
suite, not the ontology file, says what the graph must contain. Each entry is
(kind, slug, English label, paragraph that names it, parent slug or None).
Sub-areas come from the framework figure (Version 3); where the figure's text
is unreadable the names follow paragraphs 15-18.
"""

from typing import NamedTuple


class Expected(NamedTuple):
    """One framework element the graph must contain."""

    kind: str
    slug: str
    label: str
    paragraph: int | None
    parent: str | None = None


OUTCOMES = [
    Expected("outcome", "competitive-economy", "Competitive Economy", 6),
    Expected("outcome", "sustainable-environment", "Sustainable Environment", 7),
    Expected("outcome", "high-quality-of-life", "High Quality of Life", 8),
]

URBAN_SYSTEMS = [
    Expected(
        "urban-system",
        "integrated-master-planning-and-development",
        "Integrated Master Planning and Development",
        10,
    ),
    Expected(
        "urban-system",
        "dynamic-and-adaptive-urban-governance",
        "Dynamic and Adaptive Urban Governance",
        11,
    ),
]

_PLANNING = "integrated-master-planning-and-development"
_GOVERNANCE = "dynamic-and-adaptive-urban-governance"
PRINCIPLES = [
    Expected("principle", "long-term-perspective", "Long-term Perspective", 10, _PLANNING),
    Expected(
        "principle", "productive-decision-making", "Productive Decision-making", 10, _PLANNING
    ),
    Expected("principle", "built-in-flexibility", "Built-in Flexibility", 10, _PLANNING),
    Expected(
        "principle",
        "effective-execution-and-implementation",
        "Effective Execution and Implementation",
        10,
        _PLANNING,
    ),
    Expected("principle", "systematic-innovation", "Systematic Innovation", 10, _PLANNING),
    Expected(
        "principle",
        "robust-monitoring-and-evaluation",
        "Robust Monitoring and Evaluation",
        10,
        _PLANNING,
    ),
    Expected(
        "principle",
        "visionary-and-pragmatic-leadership",
        "Visionary and Pragmatic Leadership",
        11,
        _GOVERNANCE,
    ),
    Expected("principle", "integrity", "Integrity", 11, _GOVERNANCE),
    Expected(
        "principle",
        "sound-institutions-and-rule-of-law",
        "Sound Institutions and Rule of Law",
        11,
        _GOVERNANCE,
    ),
    Expected("principle", "stakeholder-involvement", "Stakeholder Involvement", 11, _GOVERNANCE),
    Expected(
        "principle",
        "market-oriented-implementation",
        "Market-oriented Implementation",
        11,
        _GOVERNANCE,
    ),
]

FOCUS_AREAS = [
    Expected("focus-area", "civic-and-social", "Civic and Social", 13),
    Expected("focus-area", "health-and-well-being", "Health and Well-being", 14),
    Expected("focus-area", "safety-and-security", "Safety and Security", 15),
    Expected("focus-area", "quality-environment", "Quality Environment", 16),
    Expected("focus-area", "built-infrastructure", "Built Infrastructure", 17),
    Expected("focus-area", "industry-and-innovation", "Industry and Innovation", 18),
]

_CS, _HW, _SS = "civic-and-social", "health-and-well-being", "safety-and-security"
_QE, _BI, _II = "quality-environment", "built-infrastructure", "industry-and-innovation"
SUB_AREAS = [
    Expected("sub-area", "social-cohesion", "Social Cohesion", 13, _CS),
    Expected("sub-area", "culture-and-heritage", "Culture and Heritage", 13, _CS),
    Expected("sub-area", "tourism", "Tourism", 13, _CS),
    Expected("sub-area", "public-and-municipal-services", "Public and Municipal Services", 13, _CS),
    Expected("sub-area", "governance", "Governance", 13, _CS),
    Expected("sub-area", "housing-and-home", "Housing and Home", 14, _HW),
    Expected("sub-area", "healthcare", "Healthcare", 14, _HW),
    Expected("sub-area", "education", "Education", 14, _HW),
    Expected("sub-area", "resource-security", "Resource Security", 15, _SS),
    Expected("sub-area", "cybersecurity", "Cybersecurity", 15, _SS),
    Expected(
        "sub-area",
        "public-safety-city-surveillance-and-crime-prevention",
        "Public Safety, City Surveillance and Crime Prevention",
        15,
        _SS,
    ),
    Expected("sub-area", "clean-environment", "Clean Environment", 16, _QE),
    Expected(
        "sub-area", "resource-access-and-management", "Resource Access and Management", 16, _QE
    ),
    Expected("sub-area", "urban-resilience", "Urban Resilience", 16, _QE),
    Expected("sub-area", "utilities", "Utilities", 17, _BI),
    Expected("sub-area", "mobility-and-transportation", "Mobility and Transportation", 17, _BI),
    Expected("sub-area", "buildings-and-construction", "Buildings and Construction", 17, _BI),
    Expected("sub-area", "business-and-entrepreneurship", "Business and Entrepreneurship", 18, _II),
    Expected("sub-area", "trade-and-commerce", "Trade and Commerce", 18, _II),
    Expected("sub-area", "upskilling", "Upskilling", 18, _II),
    Expected("sub-area", "technology-incubation", "Technology Incubation", 18, _II),
    Expected("sub-area", "research", "Research", 18, _II),
]

GOALS = [
    Expected(
        "goal", "social-cohesion-amidst-diversity", "Social Cohesion amidst Diversity", 13, _CS
    ),
    Expected("goal", "social-equity", "Social Equity", 13, _CS),
    Expected(
        "goal", "cultural-authenticity-and-heritage", "Cultural Authenticity and Heritage", 13, _CS
    ),
    Expected("goal", "tourism-promotion", "Tourism Promotion", 13, _CS),
    Expected("goal", "seamless-living", "Seamless Living", 13, _CS),
    Expected("goal", "cashless-society", "Cashless Society", 13, _CS),
    Expected("goal", "good-governance", "Good Governance", 13, _CS),
    Expected(
        "goal", "quality-and-efficient-key-services", "Quality and Efficient Key Services", 14, _HW
    ),
    Expected("goal", "inclusive-communities", "Inclusive Communities", 14, _HW),
    Expected(
        "goal", "equitable-access-to-opportunities", "Equitable Access to Opportunities", 14, _HW
    ),
    Expected("goal", "security-of-vital-resources", "Security of Vital Resources", 15, _SS),
    Expected(
        "goal",
        "cybersecurity-of-networked-infrastructure",
        "Cybersecurity of Networked Infrastructure",
        15,
        _SS,
    ),
    Expected(
        "goal",
        "public-safety-and-crime-prevention",
        "Public Safety and Crime Prevention",
        15,
        _SS,
    ),
    Expected("goal", "clean-and-pleasant-environment", "Clean and Pleasant Environment", 16, _QE),
    Expected(
        "goal",
        "sustainable-use-of-ecosystems-and-natural-resources",
        "Sustainable Use of Ecosystems and Natural Resources",
        16,
        _QE,
    ),
    Expected(
        "goal",
        "resilience-against-disaster-and-climate-change",
        "Resilience against Disaster and Climate Change",
        16,
        _QE,
    ),
    Expected("goal", "smart-utilities", "Smart Utilities", 17, _BI),
    Expected(
        "goal", "smart-mobility-and-transportation", "Smart Mobility and Transportation", 17, _BI
    ),
    Expected(
        "goal", "smart-buildings-and-construction", "Smart Buildings and Construction", 17, _BI
    ),
    Expected(
        "goal",
        "competitiveness-and-productivity-of-msmes",
        "Competitiveness and Productivity of MSMEs",
        18,
        _II,
    ),
    Expected("goal", "inclusive-and-equitable-growth", "Inclusive and Equitable Growth", 18, _II),
]

_TECH, _PARTNER = "technological-and-digital-solutions", "partnership-and-funding"
ENABLERS = [
    Expected("enabler", _TECH, "Technological and Digital Solutions", 20),
    Expected("enabler", _PARTNER, "Partnership and Funding", 21),
]

SOLUTIONS = [
    Expected("solution", "geospatial-databases", "Geospatial Databases", 20, _TECH),
    Expected(
        "solution",
        "urban-spatial-data-information-systems",
        "Urban Spatial Data Information Systems",
        20,
        _TECH,
    ),
    Expected("solution", "data-analytics", "Data Analytics", 20, _TECH),
    Expected("solution", "ict-networks", "ICT Networks", 20, _TECH),
    Expected("solution", "automation", "Automation", 20, _TECH),
    Expected(
        "solution",
        "e-payments-and-digital-platforms",
        "E-payments and Digital Platforms",
        20,
        _TECH,
    ),
    Expected(
        "solution", "public-private-partnerships", "Public-Private Partnerships", 11, _PARTNER
    ),
    Expected(
        "solution",
        "partnerships-with-external-partners",
        "Partnerships with External Partners",
        21,
        _PARTNER,
    ),
    Expected(
        "solution",
        "partnerships-with-other-city-networks",
        "Partnerships with Other City Networks",
        21,
        _PARTNER,
    ),
    Expected(
        "solution",
        "partnerships-with-the-private-sector",
        "Partnerships with the Private Sector",
        21,
        _PARTNER,
    ),
    Expected("solution", "financial-investment", "Financial Investment", 21, _PARTNER),
    Expected(
        "solution",
        "knowledge-sharing-and-capacity-strengthening-platforms",
        "Knowledge Sharing and Capacity Strengthening Platforms",
        21,
        _PARTNER,
    ),
]

ALL = OUTCOMES + URBAN_SYSTEMS + PRINCIPLES + FOCUS_AREAS + SUB_AREAS + GOALS + ENABLERS + SOLUTIONS
