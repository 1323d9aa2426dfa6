"""The cue vocabulary of the narrative: the words that mark a goal, a growth rate, a change in
points, a multiple, a label's edges, a compared region. Wording is data; it lives here, apart
from the code that reads sentences with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dezhou_analysis.core import regions

CLAUSE_SPLIT = re.compile(r"[，；：,;]")
PLACEHOLDER = re.compile(r"(?<![A-Za-z])[XＸ×]{1,4}(?![A-Za-z])")
TARGET_CUE = re.compile(r"力争|确保|目标是|目标为|预计到|努力实现|奋斗目标|预期目标|目标定在|目标设定为|主要目标|"
                        r"预期(?=增长|增速|达到|为)")
# 将 (shall) and 预计 (is expected to) before a figure of a year still under way: a goal in a
# work report or the news of one (将近 is "nearly", 将其 "takes it")
FUTURE_WORD = re.compile(r"(?<!即)将(?!近|其|之|于|会)")
# 年内…突破万亿, said early in the year: within the year still under way
WITHIN_THE_YEAR = re.compile(r"年内")
# what a goal says after 将: reach, pass, exceed (PLAN_CUE), or pass a magnitude (破万亿)
FUTURE_REACH = re.compile(r"突破|破|超过|达到|以上|左右|提高到|增加到")
FORECAST_WORD = re.compile(r"预计(?!到)")
# "今年经济社会发展的主要预期目标是：" closing its paragraph: the lines below list the goals
# (“十四五”时期“八个新”的确切目标:, 未来五年主要目标任务 as a line of its own)
GOAL_LIST_INTRO = re.compile(r"目标(?:任务)?(?:是|为|包括|如下)?[:：]\s*$"
                             r"|(?:预期目标|主要目标|发展目标|具体目标)(?:任务)?(?:是|为|包括|如下)?\s*$")
# 主要预期目标是：…。…: the goals run on to the paragraph's end, past a stray full stop
GOAL_RUN = re.compile(r"(?:预期目标|主要目标|发展目标|具体目标)(?:是|为)?[:：]")
# 其中，…；同时，…: a sentence that goes on with the one before it (and keeps its goal year)
CONTINUATION = re.compile(r"^\s*(?:其中|同时|与此同时|此外|另外)[，,：:]")
GOAL_LIST_ITEM = re.compile(r"^\s*(?:[◆●•·■□▪\-—*]|[（(]?[一二三四五六七八九十\d]{1,2}[)）、.．])")
# 综合实力显著提升。…: a list item that opens with a short headline sentence of its own
GOAL_HEADLINE = re.compile(r"^\s*[^\d，。；：,;:|]{4,14}。")
PLAN_CUE = re.compile(r"达到|突破|超过|以上|左右|保持在|稳定在|控制在|不低于|不少于|年均增长|提高到|增加到|"
                       r"降低到|下降到|每年保持")
GROWTH_TAIL = re.compile(
    r"(?P<avg>年均|平均|年平均)?(?:同比|比上年|较上年|(?:比|较)(?P<ref>(?:19|20)\d{2})年(?:同期)?)?"
    r"(?P<verb>增长|增加|提高|上升|上涨|下降|下跌|减少|降低|回落|递增|递减|增速|增幅)了?"
    r"(?:速度为|速度|幅度为|率为|(?<=[速幅])(?:达到|达|保持在|稳定在)|(?:预期)?目标(?:为|是|定在|设定为))?$")
PP_TAIL = re.compile(r"(?:(?:比|较)(?P<ref>(?:19|20)\d{2})年(?:同期)?|(?:比|较)上年(?:末|底)?|同比)?(?P<verb>提高|上升|增加|增长|扩大|下降|降低|回落|减少|缩小|提升)了?$")
MULTIPLE_TAIL = re.compile(r"(?:是|为|相当于)(?P<ref>(?:19|20)\d{2})年(?:的)?(?:近|约)?$|(?:是|为)(?P<other>[^，。；]{1,8})的(?:近|约)?$")
ABS_CHANGE_TAIL = re.compile(r"(?:(?:比|较)(?P<ref>(?:19|20)\d{2})年|(?P<prev>(?:比|较)(?:上年(?:末|底)?|年初)|同比))"
                              r"(?P<verb>新增|增加|增长|减少|下降|增产|减产)了?$")
# 水稻播种面积516.4千公顷，减少4.2千公顷: a bare change after a level goes on with its "比上年"
BARE_CHANGE = re.compile(r"(?:^|[，；])(?:再|又)?(?P<verb>增加|减少|增产|减产|净增|净减)了?$")
# 空气质量优良天数增加76天, 煤炭再增产5743万吨: a change with no year to compare with is a change
# on the year before (增加到, 增加至 give a level, and never stand right before the number)
IMPLIED_CHANGE = re.compile(r"(?:再|又)?(?P<verb>增加|减少|增产|减产|净增|净减)了?$")
NEGATIVE_VERBS = {"下降", "下跌", "减少", "降低", "回落", "递减", "缩小", "减产", "净减"}
LEADING_NOISE = re.compile(
    r"^(?:其中|截至|截止|今年|去年|明年|推动|共有|到|在|全市|我市|本市|共|累计|已经|已|实现|完成|达到|新增|引进|建成|培育|打造|创建|预计|"
    r"拥有|依托|重点|推进|力争|确保|争取|使|让|并|和|及|与|以|对|按|新|年|底|末|以来|同时|另外|目前|现有|"
    r"当前|全年|规划|建设|实施|开展|还|也|都|将|要|可|能|会|即|则|就|而|并且|此外|特别是|尤其是)+")
TRAILING_NOISE = re.compile(
    r"(?:实现|完成|达到|达|为|是|共|累计|突破|超过|增长|有|仅有|仅为|仅|约|近|保持在|稳定在|控制在|"
    r"提高到|增加到|下降到|降低到|提高|上升|下降|降低|增加|均|分别|总量|数量为|总数为|规模|已|将|要|稳定|保持|"
    r"逐年|每年|年均|平均|同比|比上年|较上年|比去年|较去年|新增|超|过|不低于|不少于|不超过|不到|不足|逾|接近|增速|增幅|"
    r"将近|大约|上涨|跨过|跨越|跨|迈上|站上|连续|冲刺|破|"
    # 按可比价计算增长7.7%, 可比价增长4.6%, 生产总值增长目标为7.5%: how the figure was computed
    # or set, not its name
    r"(?:按?可)?比价格?(?:计算)?|按可比口径计算?|同口径|(?:增长|增速|预期)目标(?:为|是|定在|设定为)?|"
    r"其中|的)+$")
# 迈上4万亿元、5万亿元两个大台阶, 跨过3000亿元历史性节点, 突破3万亿元大关: a milestone passed,
# not the name of what passed it
MILESTONE_AFTER = re.compile(r"^(?:[两二三四五六七八九十\d]+个)?(?:新的?|历史性的?)?(?:大)?(?:台阶|关口|大关|节点|门槛|量级)")
AFTER_LABEL_STOP = re.compile(r"[，。；：、（(]|和|与|及|的|，|建设|落户|建立|开工|合作|以上|左右|以内")
# 突破5000亿元大关 is a level; 增长6%规模以上工业…, run together from two lines, starts the next item
ATTRIBUTE_AFTER = re.compile(r"^(?:级|规模(?!以上)|量级|强|大(?!关|幅)|的(?!目标|水平|规模))")
STRUCTURE_CUE = re.compile(r"比例|比重|结构|构成|之比|比为|比是|产业比")
YEAR_OF = re.compile(r"((?:19|20)\d{2})年的?$")
# 增加值, 总产量 alone: the head of a name whose first words stand in an earlier clause
# (第二产业依然是主力军，增加值4365.67亿元; 粮食播种面积4741.4万亩，总产量295.6亿斤)
BARE_HEADS = {"增加值", "总产量", "产量", "产值", "总产值", "增加值总量", "营业收入", "利润总额"}
GENERIC_LABELS = {"总数", "总量", "总计", "共计", "合计", "累计", "总额", "总规模", "规模", "数量",
                  "同口径", "可比口径", "按可比口径", "按可比价格计算", "可比价", "现价", "名义"}
COMPARED = re.compile(r"(?:低于|高于|超过|落后于?|领先于?|对标|比|较|与|同|和|、|向|赴|到|去|及)$")
SUBJECT_REGION_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}年|去年|今年|上年)?(?:底|末)?"
                                   r"(?P<region>全省|全国|全市|我市|我省|本市|本省|全区|全县)")


# a news dateline (新华社北京3月5日电, 济南3月1日讯, （记者 王某）): where the story was filed,
# not what its figures are about
DATELINE = re.compile(r"(?:[^\s，。：]{0,12}?(?:社|网|报|台|客户端)[）)】·]?\s*)?"
                      r"[\u4e00-\u9fff]{2,8}\s*\d{1,2}月\d{1,2}日\s*(?:电|讯|消息)"
                      r"(?:\s*[（(][^）)]{0,30}[）)])?\s*"
                      r"|(?:社|网|报|台)[，,]?\s*[\u4e00-\u9fff]{2,8}\s*(?:19|20)\d{2}-\d{1,2}-\d{1,2}")

# what a programme or a list counts, not a statistic: 28项指标, 20个县、200个乡镇、2000个村
ITEM_NOUN = re.compile(r"^(?:主要|重点|核心|约束性|预期性)?(?:指标|县|县区|县市区|乡镇|镇|村|行政村|社区|大类|类|方面|"
                       r"领域|任务|措施|举措|行动|环节|批次?|部分)$")

# what a count of projects, works or facilities opened names (重点项目, 城建重点工程, 发热门诊):
# the size of a programme, not a statistic of the place
PROGRAMME_NOUN = re.compile(r"(?:项目|工程|门诊|成果|实验室|航线|起降点|开展测试|科学技术奖|[占获]\d*席)$")

ITEM_AFTER = re.compile(r"^(?:主要|重点)?(?:县|县区|县市区|乡镇|镇|村|行政村|社区|大类|类|项?指标|方面|领域|批|"
                        # 14个调研组, 27个中心区城市, 108个城中村: teams and places a programme counts
                        r"(?:调研|工作|督查|检查|专家|服务)组|专班|(?:中心区|中心)?城市|城中村)"
                        r"(?=[、，。；和及与]|开展|试点|进行|作为|为|$)"
                        # 11个方面任务, 50项重点突破任务, 30条措施: the size of a work programme
                        r"|^(?:方面|领域)?[\u4e00-\u9fff]{0,4}(?:任务|举措|措施|工作)(?=[、，。；和及与的]|取得|完成|全面|落实|$)"
                        # 3个三百亿级产业, 3个年产值超万亿元的支柱产业: how many of a kind, not a statistic
                        r"|^[零一二两三四五六七八九十百千万亿\d]+[万亿]?元?级|^年产值(?:超|过|突破)"
                        # 10件民生实事全面完成: the size of a list of promises; 31项顺利完成规划目标:
                        # how many of a plan's goals were met
                        r"|^(?:民生)?实事|^项?(?:顺利|全面|超额|基本)?(?:完成|实现|达到)了?(?:规划|年度|预期)?目标")
# 一批10亿元以上项目: the size that qualifies a project for a list, not a statistic
PROJECT_SIZE = re.compile(r"^(?:以上|及以上)?的?(?:重大|重点|产业|工业|制造业)?项目")
# 500万元以上固定资产投资, 年主营业务收入2000万元以上工业企业: a sum that sets the threshold of
# the category named right after it (no punctuation between), not a statistic
THRESHOLD_AFTER = re.compile(r"^(?!的?(?:目标|水平|规模|台阶|大关))的?[\u4e00-\u9fff“]")
# 完成全年目标的113.2%: how much of a goal was met, not a statistic of the place
GOAL_COMPLETION = re.compile(r"(?:完成|达到|实现)(?:了)?(?:全年|年度|年初)?(?:目标|计划|任务)(?:任务)?的?$")

# what is left of a label when only a cue, a verb or a comparison precedes the number (目标, 增长到,
# 圆了, 比预期目标高, 增速高于全国（): no indicator can be named from it
FRAGMENT_LABEL = re.compile(r"^(?:目标|预期目标|任务|计划|比上年末?|较上年末?)$|(?:到|了|于|高|低|[（(])$"
                            r"|^(?:比|较|增速|增幅)")

# the head noun of a statistic's name (“四上”企业, 开复工率, 累计完成投资): a news label that ends
# with one names a statistic even when the registry does not know it
STATISTIC_HEAD = re.compile(r"(?:企业|产值|收入|投资|总额|增加值|人口|面积|产量|总量|规模|率|比重|指数|"
                            r"销售额|营业额|利润|税收|人数|人次|价格|消费|产出|出口|进口|用电量|存栏量|出栏量|"
                           r"就业|天数|零售额|个数|电量|贸易|进出口|进出口额|"
                            r"(?:制造|服务|采矿|建筑|供应|零售|批发|金融|房地产|运输|仓储|邮政|住宿|餐饮)业)$")
# 前8个月, 连续10个月: a span of months or a streak, not a count
MONTH_SPAN_AFTER = re.compile(r"^月")
STREAK_BEFORE = re.compile(r"连续$")
# 高技术产业投资增势良好，同比增长14.7%: the verdict that closes a clause naming the statistic
# the next clause's number belongs to
VERDICT_TAIL = re.compile(r"(?:(?:增势|势头|态势|形势)(?:良好|较好|强劲)|(?:较快|快速|稳步|稳定|平稳|持续|小幅|明显)"
                          r"(?:增长|回升|恢复|提升)|(?:增长|回升|恢复)(?:较快|明显|加快|平稳)|保持增长)$")


def has_number(text: str) -> bool:
    return bool(re.search(r"\d|[一二两三四五六七八九十百千]", text))


@lru_cache(maxsize=1)
def comparison_patterns() -> tuple[re.Pattern, re.Pattern]:
    """`低于全省0.9个百分点、高于临沂1.2个百分点`: the run of compared regions and one item of it.
    Built once, from the region vocabulary."""
    run = re.compile(
        r"(?P<dir>低于|高于|超过|超出|落后于?|领先于?)(?P<items>(?:(?:" + regions.region_alternation()
        + r")(?:平均水平|平均|的)?(?:约|近)?\d+(?:\.\d+)?(?:个百分点|个|百分点)?[、，和及]?)+)")
    item = re.compile(
        r"(?P<region>" + regions.region_alternation() + r")(?:平均水平|平均|的)?(?:约|近)?"
        r"(?P<num>\d+(?:\.\d+)?)(?P<unit>个百分点|个|百分点)?")
    return run, item
